// Logical replication finds the row an UPDATE or DELETE changed by its replica identity. A
// published table without one makes those statements fail on blue itself, so every such table
// is a blocker; the fix prefers a unique NOT NULL index, then a new primary key, and only last
// REPLICA IDENTITY FULL (whole old rows in WAL, slow apply). FULL tables are reported as info.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

const char* kFullCost =
    "every UPDATE and DELETE then writes the whole old row to WAL, and green's apply must "
    "search the table for it (a sequential scan per row where no index fits)";

std::string using_index(const Row& r, const std::string& index) {
    return "ALTER TABLE " + r.str("qualified") + " REPLICA IDENTITY USING INDEX " + index + ";";
}

//! The unique index whose columns are nullable: SET NOT NULL first, then use it.
std::string via_nullable_index(const Row& r) {
    std::string fix =
        "-- fails if a column holds NULLs; checks the table under an ACCESS "
        "EXCLUSIVE lock\n";
    for (const auto& column : json_strings(r.str("nullable_columns"))) {
        fix += "ALTER TABLE " + r.str("qualified") + " ALTER COLUMN " + column + " SET NOT NULL;\n";
    }
    return fix + using_index(r, r.str("nullable_index"));
}

std::string blocker_fix(const Row& r) {
    const std::string table = r.str("qualified");
    if (r.str("identity") == "n" && r.flag("has_pk")) {
        return "ALTER TABLE " + table + " REPLICA IDENTITY DEFAULT;";
    }
    if (!r.is_null("usable_index")) return using_index(r, r.str("usable_index"));
    if (!r.is_null("nullable_index")) return via_nullable_index(r);
    return "ALTER TABLE " + table + " ADD PRIMARY KEY (<columns that identify a row>);\n" +
           "-- last resort, when no columns do: " + kFullCost + "\n-- ALTER TABLE " + table +
           " REPLICA IDENTITY FULL;";
}

std::string blocker_why(const Row& r) {
    std::string identity = r.str("identity");
    std::string what = identity == "n"   ? "has REPLICA IDENTITY NOTHING"
                       : identity == "i" ? "has REPLICA IDENTITY USING INDEX on a dropped index"
                                         : "has no primary key and no replica identity";
    std::string hint =
        !r.is_null("usable_index") ? " Its unique index " + r.str("usable_index") +
                                         " on NOT NULL columns can serve as replica identity."
        : !r.is_null("nullable_index") ? " Its unique index " + r.str("nullable_index") +
                                             " can serve once its columns are NOT NULL."
                                       : "";
    return "The table " + what +
           ": once it is published, every UPDATE and DELETE on it fails on blue (\"cannot "
           "update table because it does not have a replica identity\"), and green could not "
           "find the rows to change anyway." +
           hint;
}

Finding full_identity(const Row& r) {
    std::string fix = r.flag("has_pk") ? "ALTER TABLE " + r.str("qualified") +
                                             " REPLICA IDENTITY DEFAULT;  -- use the primary key"
                      : !r.is_null("usable_index") ? using_index(r, r.str("usable_index"))
                                                   : "";
    return finding(Severity::info, Side::blue, "table " + r.str("qualified"),
                   std::string("REPLICA IDENTITY FULL replicates, but ") + kFullCost + ".", fix);
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), sql::check_replica_identity);
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) {
        if (r.str("identity") == "f") {
            out.push_back(full_identity(r));
            continue;
        }
        out.push_back(finding(Severity::blocker, Side::blue, "table " + r.str("qualified"),
                              blocker_why(r), blocker_fix(r)));
    }
    return out;
}

}  // namespace

Rule replica_identity() {
    return {"replica-identity", "every table has a primary key or replica identity", run};
}

}  // namespace pgflip::check::rules
