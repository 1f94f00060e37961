// PAUSE returns when every server connection is released. In transaction (or statement) mode
// that is the end of the in-flight transactions; in session mode it is when every client has
// disconnected, so the flip would wait out its drain timeout and give up. A global PAUSE
// (pause_scope = "global") waits for every pool; otherwise only the migrated database's pool
// is paused, so only its mode matters.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

const char* kWhy =
    "In session mode PgBouncer releases a server connection only when its client disconnects, "
    "so PAUSE waits for every client to go away: the flip would hit its drain timeout and "
    "abort. Transaction mode releases them at each transaction end (check first that the "
    "application keeps no session state across transactions: SET, prepared statements, "
    "advisory locks, LISTEN, temporary tables).";

Finding database_in_session_mode(const PoolerHandle& p, const pooler::DatabaseEntry& d,
                                 bool inherited) {
    std::string fix =
        inherited ? "pool_mode = transaction   ; in [pgbouncer] of the pooler's ini, then RELOAD"
                  : "; in [databases] of the pooler's ini, then RELOAD:\n" + d.name +
                        " = host=" + d.host + " port=" + d.port + " dbname=" + d.database +
                        " pool_mode=transaction";
    return finding(Severity::blocker, Side::pooler,
                   pooler_label(p) + " database " + d.name + ": pool_mode = session" +
                       (inherited ? " (the default in [pgbouncer])" : ""),
                   kWhy, fix);
}

Finding user_in_session_mode(const PoolerHandle& p, const std::string& user) {
    return finding(
        Severity::blocker, Side::pooler,
        pooler_label(p) + " user " + user + ": pool_mode = session",
        std::string("The [users] section puts this user in session mode, which "
                    "overrides the database's mode. ") +
            kWhy,
        "; in [users] of the pooler's ini, then RELOAD:\n" + user + " = pool_mode=transaction");
}

//! Whether the flip's PAUSE waits for this entry's pool.
bool paused_by_flip(const config::Pooler& config, const pooler::DatabaseEntry& d) {
    bool global = config.pause_scope == config::PauseScope::global || config.database.empty();
    return global || d.name == config.database;
}

Status check_pooler(Context& ctx, PoolerHandle& p, std::vector<Finding>& out) {
    auto global = pooler_setting(ctx, p, "pool_mode");
    if (!global.ok()) return global.take_error();
    auto entries = pooler_entries(ctx, p);
    if (!entries.ok()) return entries.take_error();
    for (const auto& d : *entries) {
        if (!paused_by_flip(*p.config, d)) continue;
        bool inherited = d.pool_mode.empty();
        if ((inherited ? *global : d.pool_mode) == "session") {
            out.push_back(database_in_session_mode(p, d, inherited));
        }
    }
    auto users = pooler::show_user_pool_modes(*p.admin, ctx.deadline);
    if (!users.ok()) return users.take_error();
    for (const auto& [user, mode] : *users) {
        if (mode == "session") out.push_back(user_in_session_mode(p, user));
    }
    return {};
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (PoolerHandle* p : bouncers(ctx)) PGFLIP_TRY(check_pooler(ctx, *p, out));
    return out;
}

}  // namespace

Rule pooler_mode() {
    return {"pooler-mode", "poolers run in transaction mode", run};
}

}  // namespace pgflip::check::rules
