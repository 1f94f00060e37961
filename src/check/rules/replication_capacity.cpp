// Enough free replication slots, WAL senders, replication origins, logical replication workers
// and background workers on both servers: forward replication (blue publishes, green applies)
// and the reverse replication armed at cutover (green publishes, blue applies).
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

//! One limited resource: the setting that bounds it, what is in use, what pgflip adds.
struct Need {
    std::string setting;
    long long limit = 0;
    long long used = 0;
    long long needed = 0;
    std::string why;
};

std::vector<Need> needs(const Server& s, const Row& row) {
    bool own_origin_limit = !row.is_null("max_active_replication_origins");  // PG18+
    std::string publish = s.is_blue() ? "the forward slot pgflip creates for green"
                                      : "the reverse slot armed at cutover for rollback";
    std::string apply = s.is_blue() ? "the reverse subscription's apply worker (rollback)"
                                    : "the subscription's apply worker";
    std::vector<Need> out = {
        {"max_replication_slots", row.num("max_replication_slots"), row.num("slots_used"), 1,
         publish},
        {"max_wal_senders", row.num("max_wal_senders"), row.num("wal_senders_used"),
         s.is_blue() ? 2 : 1,
         s.is_blue() ? "the snapshot-exporting connection of setup and green's subscription "
                       "(they can overlap)"
                     : "blue's reverse subscription after cutover"},
        {"max_logical_replication_workers", row.num("max_logical_replication_workers"),
         row.num("logical_workers_used"), 1, apply},
        {"max_worker_processes", row.num("max_worker_processes"), row.num("worker_processes_used"),
         1, apply + " (a background worker)"},
    };
    std::string origins =
        own_origin_limit ? "max_active_replication_origins" : "max_replication_slots";
    out.push_back(
        {origins,
         row.num(own_origin_limit ? "max_active_replication_origins" : "max_replication_slots"),
         row.num("origins_used"), 1,
         s.is_blue() ? "the reverse subscription's replication origin (rollback)"
                     : "the subscription's replication origin"});
    return out;
}

std::string free_text(long long free) {
    return free <= 0 ? "none is free" : "only " + std::to_string(free) + " is free";
}

Finding shortfall(const Server& s, const Need& n) {
    long long wanted = n.used + n.needed;
    bool standby_too = n.setting == "max_wal_senders" || n.setting == "max_worker_processes";
    std::string fix = "ALTER SYSTEM SET " + n.setting + " = " + std::to_string(wanted) +
                      ";  -- on " + s.name() + ", then restart it";
    if (standby_too) fix += "\n-- hot standbys of " + s.name() + " need at least the same value";
    return finding(
        Severity::blocker, s.side,
        n.setting + " = " + std::to_string(n.limit) + " (" + std::to_string(n.used) + " in use)",
        s.name() + " needs " + std::to_string(n.needed) + " more for " + n.why + ", but " +
            free_text(n.limit - n.used) + ".",
        fix);
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (const Server& s : both(ctx)) {
        auto rows = query(ctx, s, sql::check_replication_capacity);
        if (!rows.ok()) return rows.take_error();
        for (const Need& n : needs(s, Row(*rows, 0))) {
            if (n.limit - n.used < n.needed) out.push_back(shortfall(s, n));
        }
    }
    return out;
}

}  // namespace

Rule replication_capacity() {
    return {"replication-capacity", "enough replication slots, WAL senders and workers", run};
}

}  // namespace pgflip::check::rules
