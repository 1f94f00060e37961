// Materialized views are not replicated: green holds what setup's refresh computed, which goes
// stale until it is refreshed there after cutover.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_materialized_views);
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) {
        if (!r.flag("populated")) continue;  // WITH NO DATA on blue too: nothing to lose
        out.push_back(
            finding(Severity::info, Side::green, "materialized view " + r.str("qualified"),
                    "Logical replication does not carry materialized views: green's copy is as old "
                    "as the initial sync. Refresh it on green right after cutover.",
                    "REFRESH MATERIALIZED VIEW " + r.str("qualified") + ";  -- on green"));
    }
    return out;
}

}  // namespace

Rule materialized_views() {
    return {"materialized-views", "materialized views to refresh on green", run};
}

}  // namespace pgflip::check::rules
