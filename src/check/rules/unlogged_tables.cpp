// Unlogged tables write no WAL, so logical replication cannot carry them.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_unlogged_tables);
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) {
        out.push_back(
            finding(Severity::warning, Side::blue, "unlogged table " + r.str("qualified"),
                    "Unlogged tables write no WAL, so logical replication does not carry them: on "
                    "green this table stays empty. Fine for a cache that refills itself; otherwise "
                    "make it logged (a full rewrite that writes the whole table to WAL).",
                    "ALTER TABLE " + r.str("qualified") + " SET LOGGED;"));
    }
    return out;
}

}  // namespace

Rule unlogged_tables() {
    return {"unlogged-tables", "no unlogged tables left behind", run};
}

}  // namespace pgflip::check::rules
