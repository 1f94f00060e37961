// Partitioned tables replicate through their root (publish_via_partition_root), so green may
// partition them differently; reported so the operator knows how they travel.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_partitioned_tables);
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) {
        out.push_back(finding(
            Severity::info, Side::blue, "partitioned table " + r.str("qualified"),
            "Partitioned, with " + count_of(r.num("partitions"), "partition", "partitions") +
                ". pgflip publishes it with publish_via_partition_root = true: changes arrive "
                "on green as changes of the root and are routed to green's partitions, so "
                "green's partitions may differ from blue's. Each partition still needs a "
                "replica identity (see replica-identity)."));
    }
    return out;
}

}  // namespace

Rule partitioned_tables() {
    return {"partitioned-tables", "partitioned tables replicate through their root", run};
}

}  // namespace pgflip::check::rules
