#include "cutover/fence.hpp"

#include "cutover/sql_template.hpp"
#include "pg/array.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kPollInterval = std::chrono::microseconds(1000);

//! Waits until none of `pids` is left in pg_stat_activity.
Status wait_gone(pg::Connection& conn, const std::vector<std::string>& pids, Clock& clock,
                 Deadline deadline) {
    for (;;) {
        auto rows = conn.query(sql::cutover_sessions_alive, {pg::array_literal(pids)}, deadline);
        if (!rows.ok()) return rows.take_error();
        if (rows->num(0, 0) == 0) return {};
        if (clock.now() >= deadline) {
            return make_error(conn.side(),
                              std::to_string(rows->num(0, 0)) +
                                  " fenced session(s) did not end before the deadline",
                              "look for stuck backends in pg_stat_activity");
        }
        clock.sleep_for(kPollInterval);
    }
}

}  // namespace

std::vector<std::string> role_names(const RoleSettings& settings) {
    std::vector<std::string> out;
    for (const auto& [role, value] : settings) out.push_back(role);
    return out;
}

Result<std::vector<std::string>> resolve_app_roles(pg::Connection& conn,
                                                   const config::Config& config,
                                                   Deadline deadline) {
    if (config.app_roles.empty()) {
        auto rows = conn.query(sql::cutover_app_roles, deadline);
        if (!rows.ok()) return rows.take_error();
        std::vector<std::string> roles;
        for (int r = 0; r < rows->size(); ++r) roles.push_back(rows->str(r, 0));
        return roles;
    }
    auto rows =
        conn.query(sql::cutover_role_settings, {pg::array_literal(config.app_roles)}, deadline);
    if (!rows.ok()) return rows.take_error();
    for (int r = 0; r < rows->size(); ++r) {
        if (!rows->boolean(r, 1)) {
            return make_error(
                conn.side(),
                "application role \"" + rows->str(r, 0) + "\" (app_roles) does not exist",
                "create it on both servers or fix app_roles in pgflip.toml");
        }
    }
    return config.app_roles;
}

Result<RoleSettings> read_role_settings(pg::Connection& conn, const std::vector<std::string>& roles,
                                        Deadline deadline) {
    auto rows = conn.query(sql::cutover_role_settings, {pg::array_literal(roles)}, deadline);
    if (!rows.ok()) return rows.take_error();
    RoleSettings out;
    for (int r = 0; r < rows->size(); ++r) {
        if (!rows->boolean(r, 1)) continue;  // a role missing on this side has nothing to fence
        out[rows->str(r, 0)] = rows->opt(r, 2);
    }
    return out;
}

std::string fence_sql(const pg::Connection& conn, const std::string& database,
                      const std::vector<std::string>& roles) {
    std::string out = "BEGIN;\n";
    for (const auto& role : roles) {
        out += render(sql::cutover_fence_role,
                      {{"role", conn.quote_ident(role)}, {"database", conn.quote_ident(database)}});
    }
    out += "COMMIT;\n";
    return out +
           render(sql::cutover_terminate_sessions, {{"roles", text_array_literal(conn, roles)}});
}

std::string unfence_sql(const pg::Connection& conn, const std::string& database,
                        const RoleSettings& originals) {
    std::string out;
    for (const auto& [role, value] : originals) {
        std::map<std::string, std::string> v = {{"role", conn.quote_ident(role)},
                                                {"database", conn.quote_ident(database)}};
        if (value) {
            v["value"] = conn.quote_literal(*value);
            out += render(sql::cutover_unfence_role_set, v);
        } else {
            out += render(sql::cutover_unfence_role_reset, v);
        }
    }
    return out;
}

Result<int> fence(pg::Connection& conn, const std::string& database,
                  const std::vector<std::string>& roles, Clock& clock, Deadline deadline) {
    if (roles.empty()) return 0;
    auto rows = conn.query(fence_sql(conn, database, roles), deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<std::string> pids;
    for (int r = 0; r < rows->size(); ++r) pids.push_back(rows->str(r, 0));
    if (!pids.empty()) PGFLIP_TRY(wait_gone(conn, pids, clock, deadline));
    return static_cast<int>(pids.size());
}

Status unfence(pg::Connection& conn, const std::string& database, const RoleSettings& originals,
               Deadline deadline) {
    if (originals.empty()) return {};
    auto rows = conn.query(unfence_sql(conn, database, originals), deadline);
    if (!rows.ok()) return rows.take_error();
    return {};
}

}  // namespace pgflip::cutover
