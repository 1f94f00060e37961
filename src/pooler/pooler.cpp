#include "pooler/pooler.hpp"

#include <exception>
#include <thread>

#include "pooler/command.hpp"
#include "pooler/pgbouncer.hpp"

namespace pgflip::pooler {

Result<std::unique_ptr<Pooler>> make_pooler(const config::Pooler& config) {
    if (config.kind == config::PoolerKind::command) {
        if (config.switch_command.empty()) {
            return make_error(Side::pooler, "pooler " + config.name + " has no switch_command",
                              "switch_command = \"...\" (run with PGFLIP_TARGET_HOST/PORT/DBNAME)");
        }
        return std::unique_ptr<Pooler>(std::make_unique<CommandPooler>(config));
    }
    if (config.admin.empty() || config.ini.empty() || config.database.empty()) {
        return make_error(Side::pooler,
                          "pooler " + config.name +
                              " (pgbouncer) needs 'admin', 'ini' and "
                              "'database'",
                          "the admin console conninfo, the path of pgbouncer.ini and the "
                          "[databases] entry the application uses");
    }
    return std::unique_ptr<Pooler>(std::make_unique<PgBouncerPooler>(config));
}

Status for_all(std::vector<std::unique_ptr<Pooler>>& poolers,
               const std::function<Status(Pooler&)>& op) {
    if (poolers.size() == 1) return op(*poolers.front());
    std::vector<Status> results(poolers.size());
    std::vector<std::exception_ptr> failures(poolers.size());
    {
        std::vector<std::jthread> threads;
        threads.reserve(poolers.size());
        for (std::size_t i = 0; i < poolers.size(); ++i) {
            threads.emplace_back([&, i] {
                try {
                    results[i] = op(*poolers[i]);
                } catch (...) {
                    failures[i] = std::current_exception();  // a bug: rethrown below
                }
            });
        }
    }  // the jthreads join here
    for (const auto& failure : failures) {
        if (failure) std::rethrow_exception(failure);
    }
    for (auto& result : results) {
        if (!result.ok()) return result;
    }
    return {};
}

}  // namespace pgflip::pooler
