// pgflip check: connect to blue, green and every pooler, run every preflight rule, report.
// Nothing is changed anywhere; the exit code is 1 when a blocker (or, with --strict, a
// warning) was found.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "catalog/servers.hpp"
#include "check/check.hpp"
#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "pooler/admin.hpp"

namespace pgflip::cli {

namespace {

using Clock = std::chrono::steady_clock;

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

long long ms_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count();
}

bool failed(const std::vector<check::Finding>& findings, bool strict) {
    check::Counts c = check::count(findings);
    return c.blockers > 0 || (strict && c.warnings > 0);
}

void print_times(const std::vector<check::RuleTime>& times, long long connect_ms) {
    std::fprintf(stderr, "pgflip: connected in %lld ms\n", connect_ms);
    for (const auto& t : times) {
        std::fprintf(stderr, "pgflip: rule %-22s %5lld ms\n", t.rule.c_str(), t.ms);
    }
}

void print_report(const GlobalOptions& global, const catalog::Servers& servers,
                  const std::vector<check::Finding>& findings, bool ok, long long elapsed_ms) {
    if (global.json) {
        print_json({{"ok", ok},
                    {"blue", server_json(servers.blue_info)},
                    {"green", server_json(servers.green_info)},
                    {"summary", check::counts_json(check::count(findings))},
                    {"elapsed_ms", elapsed_ms},
                    {"findings", check::to_json(findings)}});
        return;
    }
    std::printf("blue:  PostgreSQL %s, database %s\ngreen: PostgreSQL %s, database %s\n\n%s",
                servers.blue_info.version.c_str(), servers.blue_info.database.c_str(),
                servers.green_info.version.c_str(), servers.green_info.database.c_str(),
                check::render_table(findings).c_str());
}

}  // namespace

int run_check(const GlobalOptions& global, const CheckOptions& options) {
    const auto started = Clock::now();
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    pg::Deadline deadline = pg::after(pg::milliseconds(30000));
    auto servers = catalog::connect_servers(*config, deadline);
    if (!servers.ok()) return report_error(servers.error(), global.json);
    auto poolers = connect_poolers(*config, deadline);
    if (!poolers.ok()) return report_error(poolers.error(), global.json);
    const long long connect_ms = ms_since(started);

    check::Context ctx{*config, *servers, *poolers, pg::after(pg::milliseconds(60000))};
    std::vector<check::RuleTime> times;
    std::vector<check::Finding> findings = check::run_all(ctx, &times);
    if (global.verbose > 0) print_times(times, connect_ms);
    bool bad = failed(findings, options.strict);
    print_report(global, *servers, findings, !bad, ms_since(started));
    return bad ? kFailure : kOk;
}

}  // namespace pgflip::cli
