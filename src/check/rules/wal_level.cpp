// wal_level must be logical on blue (to publish) and on green (to publish back on rollback).
#include "check/rules/rules.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (pg::Connection* conn : {&ctx.servers.blue, &ctx.servers.green}) {
        auto rows = conn->query(sql::check_wal_settings, ctx.deadline);
        if (!rows.ok()) return rows.take_error();
        if (rows->get(0, 0) == "logical") continue;
        bool blue = conn->side() == Side::blue;
        out.push_back({"wal-level", Severity::blocker, conn->side(),
                       "wal_level = " + rows->str(0, 0),
                       blue ? "blue must decode its WAL for logical replication to green"
                            : "green must publish back to blue so a rollback loses nothing",
                       "ALTER SYSTEM SET wal_level = logical;  -- then restart the server"});
    }
    return out;
}

}  // namespace

Rule wal_level() { return {"wal-level", "wal_level is logical on both servers", run}; }

}  // namespace pgflip::check::rules
