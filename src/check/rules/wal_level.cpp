// wal_level must be logical on blue (to publish) and on green (to publish back on rollback).
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

Finding not_logical(const Server& s, const std::string& level) {
    return finding(
        Severity::blocker, s.side, "wal_level = " + level,
        s.is_blue() ? "blue must decode its WAL for logical replication to green."
                    : "green must publish back to blue so that a rollback loses "
                      "nothing written after cutover.",
        "ALTER SYSTEM SET wal_level = logical;  -- on " + s.name() + ", then restart it");
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (const Server& s : both(ctx)) {
        auto rows = query(ctx, s, "SELECT current_setting('wal_level')");
        if (!rows.ok()) return rows.take_error();
        if (rows->get(0, 0) != "logical") out.push_back(not_logical(s, rows->str(0, 0)));
    }
    return out;
}

}  // namespace

Rule wal_level() {
    return {"wal-level", "wal_level is logical on both servers", run};
}

}  // namespace pgflip::check::rules
