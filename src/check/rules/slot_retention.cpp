// A replication slot keeps WAL until its consumer confirms it: blue's slot while green copies
// and catches up, green's reverse slot after cutover. max_slot_wal_keep_size chooses between a
// full disk (unlimited) and an invalidated slot (limited); slots nobody consumes keep WAL for
// nothing. Free disk is not visible from SQL, so it is named, not measured.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

std::string slot_role(const Server& s) {
    return s.is_blue() ? "blue's slot keeps WAL while green copies and catches up (hours for a "
                         "large database) and whenever green is down"
                       : "green's reverse slot keeps WAL after cutover until finalize, whenever "
                         "blue's reverse subscription is not consuming";
}

Finding unlimited(const Server& s) {
    return finding(
        s.is_blue() ? Severity::warning : Severity::info, s.side, "max_slot_wal_keep_size = -1",
        "Unlimited: " + slot_role(s) + ", without bound, until " + s.name() +
            "'s disk fills and it stops. Watch the free space of pg_wal's filesystem, or set "
            "a limit (then a slot that falls further behind is invalidated and must be "
            "rebuilt: the lesser harm).",
        "-- below pg_wal's free disk, above the WAL written during the initial copy:\nALTER "
        "SYSTEM SET max_slot_wal_keep_size = '100GB';\nSELECT pg_reload_conf();  -- on " +
            s.name());
}

Finding limited(const Server& s, const std::string& shown) {
    return finding(Severity::info, s.side, "max_slot_wal_keep_size = " + shown,
                   "Bounded: " + slot_role(s) + "; beyond " + shown +
                       " the slot is invalidated and replication must be set up again. Make "
                       "sure it exceeds the WAL " +
                       s.name() + " writes during the initial copy.");
}

Finding inactive(const Server& s, const Row& r) {
    bool lost = r.str("wal_status") == "lost";
    std::string where = r.str("database").empty() ? "" : ", database " + r.str("database");
    return finding(
        Severity::warning, s.side,
        "inactive " + r.str("slot_type") + " slot " + r.str("literal") + where,
        lost ? "No consumer is connected and the slot is already invalidated (wal_status lost): "
               "it can never be used again."
             : "No consumer is connected, and it keeps " + human_bytes(r.num("retained_bytes")) +
                   " of WAL on " + s.name() +
                   ", growing with every write, on top of what pgflip's slots will keep.",
        "SELECT pg_drop_replication_slot(" + r.str("literal") + ");  -- on " + s.name() +
            ", if nothing will use it again");
}

Status check_server(Context& ctx, const Server& s, std::vector<Finding>& out) {
    auto limit = query(ctx, s,
                       "SELECT setting::bigint AS mb, current_setting(name) AS shown "
                       "FROM pg_settings WHERE name = 'max_slot_wal_keep_size'");
    if (!limit.ok()) return limit.take_error();
    Row l(*limit, 0);
    out.push_back(l.num("mb") < 0 ? unlimited(s) : limited(s, l.str("shown")));
    auto slots = query(ctx, s, sql::check_inactive_slots);
    if (!slots.ok()) return slots.take_error();
    for (const Row& r : rows_of(*slots)) out.push_back(inactive(s, r));
    return {};
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (const Server& s : both(ctx)) PGFLIP_TRY(check_server(ctx, s, out));
    return out;
}

}  // namespace

Rule slot_retention() {
    return {"slot-retention", "replication slots cannot fill the disk unnoticed", run};
}

}  // namespace pgflip::check::rules
