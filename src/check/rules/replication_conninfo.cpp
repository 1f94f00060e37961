// Green must reach blue (the subscription) and blue must reach green (the reverse subscription
// armed for rollback). pgflip cannot run anything on green's host, so it proves what it can from
// its own: the replication conninfo opens a replication connection, the role may start a
// walsender, and the server that answers is the right one, in the right database.
#include <algorithm>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

//! One direction: `target` is reached by `from` with `conninfo`.
struct Route {
    Server target;
    std::string from;
    std::string conninfo;
    std::string key;  //!< where it is configured
};

std::string caveat(const Route& r) {
    return " This was tried from the host pgflip runs on; " + r.from +
           " connects from its own host, where pg_hba.conf, firewalls and DNS may differ.";
}

std::string unreachable_fix(const Route& r, const Error& e) {
    if (e.message.find("replication role") != std::string::npos) {
        auto info = pg::Conninfo::parse(r.conninfo);
        std::string user = info.ok() ? r.target.conn.quote_ident(info->user()) : "<role>";
        return "ALTER ROLE " + user + " REPLICATION;  -- as a superuser on " + r.target.name() +
               " (or use a replication role in " + r.key + ")";
    }
    return e.fix.empty() ? "fix " + r.key + " in pgflip.toml" : e.fix;
}

Finding unreachable(const Route& r, const std::string& shown, const Error& e) {
    return finding(Severity::blocker, r.target.side, "replication connection to " + shown,
                   r.from + " will replicate from " + r.target.name() +
                       " with this conninfo, but a replication connection failed: " + e.message +
                       "." + caveat(r),
                   unreachable_fix(r, e));
}

Finding wrong_server(const Route& r, const std::string& shown, const std::string& what) {
    return finding(Severity::blocker, r.target.side, "replication connection to " + shown,
                   "the replication conninfo reaches " + what + ", not " + r.target.name() +
                       "'s database " + r.target.info.database + "." + caveat(r),
                   "point " + r.key + " in pgflip.toml at " + r.target.name() + " (database " +
                       r.target.info.database + ")");
}

std::optional<Finding> probe(Context& ctx, const Route& r) {
    auto info = pg::Conninfo::parse(r.conninfo, r.target.side);
    if (!info.ok()) return unreachable(r, r.key, info.error());
    const std::string shown = info->redacted();
    pg::Deadline deadline = std::min(ctx.deadline, pg::after(pg::milliseconds(10000)));
    auto conn = pg::Connection::connect(*info, r.target.side, deadline, true);
    if (!conn.ok()) return unreachable(r, shown, conn.error());
    auto rows = conn->query("IDENTIFY_SYSTEM", deadline);
    if (!rows.ok()) return unreachable(r, shown, rows.error());
    Row row(*rows, 0);
    if (row.str("systemid") != r.target.info.system_identifier) {
        return wrong_server(r, shown,
                            "another server (system identifier " + row.str("systemid") + ")");
    }
    if (row.str("dbname") != r.target.info.database) {
        return wrong_server(r, shown, "database " + row.str("dbname"));
    }
    return std::nullopt;
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    Route routes[] = {
        {blue(ctx), "green", ctx.config.blue_from_green, "[blue] replication_conninfo"},
        {green(ctx), "blue", ctx.config.green_from_blue, "[green] replication_conninfo"},
    };
    for (const Route& r : routes) {
        if (auto f = probe(ctx, r)) out.push_back(std::move(*f));
    }
    return out;
}

}  // namespace

Rule replication_conninfo() {
    return {"replication-conninfo", "green reaches blue and blue reaches green", run};
}

}  // namespace pgflip::check::rules
