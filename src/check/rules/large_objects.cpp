// Large objects live in pg_largeobject, which logical replication does not carry.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

//! A shell pipeline that copies every large object from blue to green (same oids).
std::string copy_command(const Context& ctx) {
    return "# from a shell, once the application no longer changes them (owners and grants are "
           "not copied):\npsql " +
           shell_conninfo(ctx.config.blue) +
           " -Atc \"COPY (SELECT oid, lo_get(oid) FROM pg_largeobject_metadata) TO STDOUT\" | "
           "psql " +
           shell_conninfo(ctx.config.green) +
           " -c \"CREATE TEMP TABLE lo_copy (id oid, data bytea); COPY lo_copy FROM STDIN; "
           "SELECT count(lo_from_bytea(id, data)) FROM lo_copy;\"\n"
           "# or, better, move them into bytea columns before migrating";
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto rows = query(ctx, blue(ctx), "SELECT count(*) FROM pg_largeobject_metadata");
    if (!rows.ok()) return rows.take_error();
    long long n = rows->num(0, 0);
    if (n == 0) return std::vector<Finding>{};
    return std::vector<Finding>{
        finding(Severity::warning, Side::blue, count_of(n, "large object", "large objects"),
                "Logical replication does not carry large objects (lo_create, lo_import, oid "
                "references): green would have none of them, and any created or changed on blue "
                "during the migration would be missing after cutover.",
                copy_command(ctx))};
}

}  // namespace

Rule large_objects() {
    return {"large-objects", "no large objects left behind", run};
}

}  // namespace pgflip::check::rules
