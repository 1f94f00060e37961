// The role pgflip connects as must be able to do the whole migration on both servers: create
// slots (REPLICATION), publications and its own schema (CREATE on the database), publish every
// table (its owner's privileges), create the subscription, fence application roles (CREATEROLE,
// pg_signal_backend) and see other sessions (pg_read_all_stats). A superuser can do all of it.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

//! A privilege the role lacks: what it is needed for and the statement that grants it.
struct Missing {
    Severity severity;
    std::string what;
    std::string why;
    std::string fix;
};

std::vector<Missing> subscription_privilege(const Server& s, const Row& r) {
    std::string subscribe = s.is_blue() ? "create the reverse subscription armed at cutover"
                                        : "create the subscription to blue";
    if (s.info.major() < 16) {
        return {{Severity::blocker, "not a superuser",
                 "PostgreSQL " + std::to_string(s.info.major()) +
                     " lets only superusers create subscriptions, and pgflip must " + subscribe,
                 "ALTER ROLE " + r.str("role") + " SUPERUSER;  -- or connect as a superuser"}};
    }
    if (r.flag("create_subscription")) return {};
    return {{Severity::blocker, "not a member of pg_create_subscription",
             "pgflip must " + subscribe +
                 " (non-superuser subscriptions must also authenticate with a password)",
             "GRANT pg_create_subscription TO " + r.str("role") + ";"}};
}

std::vector<Missing> missing_privileges(const Server& s, const Row& r) {
    const std::string role = r.str("role");
    std::vector<Missing> out;
    if (!r.flag("replication")) {
        out.push_back({Severity::blocker, "no REPLICATION attribute",
                       "creating the replication slot on " + s.name() + " needs it",
                       "ALTER ROLE " + role + " REPLICATION;"});
    }
    if (!r.flag("create_on_database")) {
        out.push_back({Severity::blocker, "no CREATE privilege on database " + r.str("database"),
                       "pgflip creates its publication and its own schema (pgflip) there",
                       "GRANT CREATE ON DATABASE " + r.str("database") + " TO " + role + ";"});
    }
    for (auto& m : subscription_privilege(s, r)) out.push_back(std::move(m));
    if (!r.flag("createrole")) {
        out.push_back({Severity::blocker, "no CREATEROLE attribute",
                       "the fence makes application roles read-only (ALTER ROLE ... SET)",
                       "ALTER ROLE " + role + " CREATEROLE;"});
    }
    if (!r.flag("signal_backend")) {
        out.push_back({Severity::blocker, "not a member of pg_signal_backend",
                       "the fence terminates application sessions left on " + s.name(),
                       "GRANT pg_signal_backend TO " + role + ";"});
    }
    if (!r.flag("read_all_stats")) {
        out.push_back({Severity::warning, "not a member of pg_read_all_stats",
                       "without it pgflip cannot see other roles' sessions, so the checks for "
                       "long transactions and direct clients see only its own",
                       "GRANT pg_read_all_stats TO " + role + ";"});
    }
    if (r.num("tables_not_owned") > 0) {
        std::string grants;
        for (const auto& owner : json_strings(r.str("other_owners"))) {
            grants +=
                (grants.empty() ? "" : "\n") + std::string("GRANT ") + owner + " TO " + role + ";";
        }
        out.push_back({Severity::blocker,
                       "does not act as the owner of " +
                           count_of(r.num("tables_not_owned"), "table", "tables"),
                       "publishing a table and copying it need its owner's privileges", grants});
    }
    return out;
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (const Server& s : both(ctx)) {
        auto rows = query(ctx, s, sql::check_role_privileges);
        if (!rows.ok()) return rows.take_error();
        Row r(*rows, 0);
        if (r.flag("superuser")) continue;
        for (const Missing& m : missing_privileges(s, r)) {
            out.push_back(finding(m.severity, s.side, "role " + r.str("role") + ": " + m.what,
                                  "pgflip connects to " + s.name() + " as " + r.str("role") +
                                      ", which is not a superuser; " + m.why + ".",
                                  "-- as a superuser on " + s.name() + ":\n" + m.fix));
        }
    }
    return out;
}

}  // namespace

Rule replication_role() {
    return {"replication-role", "pgflip's role may replicate, publish, subscribe and fence", run};
}

}  // namespace pgflip::check::rules
