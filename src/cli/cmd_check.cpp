// pgflip check: connect to blue, green and every pooler, run every preflight rule, report.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "catalog/servers.hpp"
#include "check/check.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "pooler/admin.hpp"

namespace pgflip::cli {

namespace {

Result<std::vector<check::PoolerHandle>> connect_poolers(const config::Config& config,
                                                         pg::Deadline deadline) {
    std::vector<check::PoolerHandle> handles;
    for (const auto& p : config.poolers) {
        check::PoolerHandle h{&p, std::nullopt};
        if (p.kind == config::PoolerKind::pgbouncer) {
            auto admin = pooler::connect_admin(p, deadline);
            if (!admin.ok()) return admin.take_error();
            h.admin = std::move(admin).value();
        }
        handles.push_back(std::move(h));
    }
    return handles;
}

nlohmann::json server_json(const catalog::ServerInfo& info) {
    return {{"version", info.version}, {"database", info.database}};
}

}  // namespace

int run_check(const GlobalOptions& global, const CheckOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    pg::Deadline deadline = pg::after(pg::milliseconds(30000));
    auto servers = catalog::connect_servers(*config, deadline);
    if (!servers.ok()) return report_error(servers.error(), global.json);
    auto poolers = connect_poolers(*config, deadline);
    if (!poolers.ok()) return report_error(poolers.error(), global.json);

    check::Context ctx{*config, *servers, *poolers, pg::after(pg::milliseconds(60000))};
    std::vector<check::Finding> findings = check::run_all(ctx);
    bool failed = check::has_blocker(findings);
    if (options.strict) {
        for (const auto& f : findings) failed |= f.severity == check::Severity::warning;
    }
    if (global.json) {
        print_json({{"ok", !failed},
                    {"blue", server_json(servers->blue_info)},
                    {"green", server_json(servers->green_info)},
                    {"findings", check::to_json(findings)}});
    } else {
        std::printf("blue:  PostgreSQL %s, database %s\ngreen: PostgreSQL %s, database %s\n\n%s",
                    servers->blue_info.version.c_str(), servers->blue_info.database.c_str(),
                    servers->green_info.version.c_str(), servers->green_info.database.c_str(),
                    check::render_table(findings).c_str());
    }
    return failed ? kFailure : kOk;
}

}  // namespace pgflip::cli
