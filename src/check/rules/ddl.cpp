// Logical replication carries rows, not schema: DDL on blue during the migration is not
// replicated, and a changed table stops apply until green has the same change.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

Result<std::vector<Finding>> run(Context& /*ctx*/) {
    return std::vector<Finding>{finding(
        Severity::info, Side::blue, "schema changes during the migration",
        "Logical replication does not carry DDL. From setup until finalize, a schema change on "
        "blue alone makes apply fail on green (a new column, a new table that is never "
        "published). Freeze schema migrations for that window; if one cannot wait, apply it on "
        "green first, then on blue, and add new tables to the publication.")};
}

}  // namespace

Rule ddl() {
    return {"ddl", "schema frozen during the migration", run};
}

}  // namespace pgflip::check::rules
