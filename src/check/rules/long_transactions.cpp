// Long transactions and idle-in-transaction sessions on blue stretch the pause: PAUSE waits for
// every in-flight transaction to end (an idle one forever), and creating the replication slot
// during setup waits for every transaction then running, in any database. Prepared
// transactions hold the slot creation up the same way.
#include <algorithm>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

constexpr long long kLongRunningMs = 60000;

Finding session(const Row& r) {
    bool idle = r.str("state").rfind("idle in transaction", 0) == 0;
    std::string pid = std::to_string(r.num("pid"));
    std::string what = idle ? r.str("state") + " for " + human_duration(r.num("state_ms")) +
                                  " (transaction open " + human_duration(r.num("xact_ms")) + ")"
                            : "in a transaction for " + human_duration(r.num("xact_ms")) + " (" +
                                  r.str("state") + ")";
    return finding(
        Severity::warning, Side::blue,
        "pid " + pid + " (user " + r.str("usename") + ", database " + r.str("datname") +
            ", application '" + r.str("application_name") + "', from " + r.str("client") + ")",
        "Session " + what + ". At cutover PAUSE waits for such a transaction to end" +
            (idle ? " (an idle one never ends by itself)" : "") +
            ", and setup's slot creation waits for it. End it in the application, or terminate "
            "it; idle_in_transaction_session_timeout bounds idle ones for good.",
        "SELECT pg_terminate_backend(" + pid + ");");
}

Finding prepared(const Row& r) {
    return finding(Severity::warning, Side::blue, "prepared transaction " + r.str("gid"),
                   "Prepared " + human_duration(r.num("age_ms")) + " ago by " + r.str("owner") +
                       " in database " + r.str("database") +
                       ": it holds its locks and blocks the creation of the replication slot "
                       "until it is committed or rolled back.",
                   "-- in database " + r.str("database") + ", one of:\nCOMMIT PREPARED " +
                       r.str("gid") + ";\nROLLBACK PREPARED " + r.str("gid") + ";");
}

Result<std::vector<Finding>> run(Context& ctx) {
    long long idle_ms = std::max(1, ctx.config.cutover.max_xact_age_ms);
    auto rows = query(ctx, blue(ctx), sql::check_long_transactions,
                      {std::to_string(idle_ms), std::to_string(kLongRunningMs)});
    if (!rows.ok()) return rows.take_error();
    std::vector<Finding> out;
    for (const Row& r : rows_of(*rows)) out.push_back(session(r));
    auto xacts = query(ctx, blue(ctx), sql::check_prepared_transactions);
    if (!xacts.ok()) return xacts.take_error();
    for (const Row& r : rows_of(*xacts)) out.push_back(prepared(r));
    return out;
}

}  // namespace

Rule long_transactions() {
    return {"long-transactions", "no long or idle-in-transaction sessions on blue", run};
}

}  // namespace pgflip::check::rules
