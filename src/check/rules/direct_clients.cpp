// Clients connected to blue directly, not through a configured pooler, escape the flip: the
// pause does not hold them, the fence cuts them off, and nothing points them at green. A
// backend belongs to a PgBouncer when its client address and port are the local end of one of
// that pooler's server connections (SHOW SERVERS), or, over a unix socket, its pid is one of
// their remote_pid.
#include <map>
#include <set>
#include <tuple>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "pooler/admin.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

//! The backends on blue that some PgBouncer holds.
struct PooledBackends {
    std::set<std::string> endpoints;  //!< "addr:port" of the pooler's end
    std::set<long long> unix_pids;    //!< pids of backends reached over a unix socket
};

Result<PooledBackends> pooled_backends(Context& ctx) {
    PooledBackends out;
    for (auto& p : ctx.poolers) {
        if (!p.admin) continue;
        auto servers = pooler::show_servers(*p.admin, ctx.deadline);
        if (!servers.ok()) return servers.take_error();
        for (const auto& s : *servers) {
            if (s.local_addr == "unix" || s.local_addr.empty()) {
                out.unix_pids.insert(s.remote_pid);
            } else {
                out.endpoints.insert(s.local_addr + ":" + s.local_port);
            }
        }
    }
    return out;
}

bool through_pooler(const PooledBackends& pooled, const Row& r) {
    if (r.num("client_port") == -1) return pooled.unix_pids.count(r.num("pid")) != 0;
    return pooled.endpoints.count(r.str("client_addr") + ":" + r.str("client_port")) != 0;
}

//! Where the application should connect instead, and what pgflip cannot see.
std::string poolers_note(const Context& ctx) {
    if (ctx.poolers.empty()) {
        return " No pooler is configured, so every client counts as direct.";
    }
    std::vector<std::string> blind;
    for (const auto& p : ctx.poolers) {
        if (!p.admin) blind.push_back(p.config->name);
    }
    if (blind.empty()) return "";
    return " pgflip cannot ask switch-command poolers (" + join(blind, ", ") +
           ") for their connections, so those are listed here too.";
}

std::string pooler_addresses(const Context& ctx) {
    std::vector<std::string> out;
    for (const auto& p : ctx.poolers) {
        auto info = pg::Conninfo::parse(p.config->admin);
        if (p.admin && info.ok())
            out.push_back(p.config->name + " at " + info->host() + ":" + info->port());
    }
    return out.empty() ? "a pooler" : join(out, " or ");
}

using Group = std::tuple<std::string, std::string, std::string>;  // role, from, application

Finding group_finding(const Context& ctx, const Group& g, const std::vector<std::string>& pids) {
    const auto& [role, from, app] = g;
    return finding(
        Severity::warning, Side::blue,
        "role " + role + " from " + from + ", application '" + app + "'",
        count_of(static_cast<long long>(pids.size()), "session", "sessions") + " (pid " +
            join_some(pids, 10) + (pids.size() == 1 ? ") connects" : ") connect") +
            " to blue directly, not through a configured pooler: the pause does "
            "not hold their writes, the fence cuts them off at cutover, and they stay "
            "pointed at blue afterwards." +
            poolers_note(ctx),
        "-- point these clients at " + pooler_addresses(ctx) +
            " instead of blue, then end what is left:\nSELECT pg_terminate_backend(pid) FROM "
            "pg_stat_activity WHERE pid IN (" +
            join(pids, ", ") + ");");
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto pooled = pooled_backends(ctx);
    if (!pooled.ok()) return pooled.take_error();
    auto rows = query(ctx, blue(ctx), sql::check_direct_clients);
    if (!rows.ok()) return rows.take_error();
    std::map<Group, std::vector<std::string>> groups;
    for (const Row& r : rows_of(*rows)) {
        if (through_pooler(*pooled, r)) continue;
        std::string from = r.num("client_port") == -1 ? "local socket" : r.str("client_addr");
        groups[{r.str("role"), from, r.str("application_name")}].push_back(r.str("pid"));
    }
    std::vector<Finding> out;
    for (const auto& [g, pids] : groups) out.push_back(group_finding(ctx, g, pids));
    return out;
}

}  // namespace

Rule direct_clients() {
    return {"direct-clients", "applications reach blue only through the poolers", run};
}

}  // namespace pgflip::check::rules
