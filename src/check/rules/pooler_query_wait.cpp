// Clients that arrive during the pause wait in PgBouncer's queue; query_wait_timeout must let
// them wait longer than the whole flip may take, or they get errors instead of a short delay.
#include <algorithm>
#include <cstdlib>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

Finding too_short(const Context& ctx, const PoolerHandle& p, const std::string& value,
                  double budget_s) {
    long long suggested = std::max<long long>(static_cast<long long>(budget_s * 2 + 0.999), 10);
    return finding(
        Severity::warning, Side::pooler, pooler_label(p) + ": query_wait_timeout = " + value,
        "Clients queued while the flip pauses the pooler are disconnected with an error after "
        "query_wait_timeout seconds, and the cutover budget allows the pause to last " +
            std::to_string(ctx.config.cutover.budget_ms) +
            " ms ([cutover] budget_ms): make the timeout comfortably longer.",
        "query_wait_timeout = " + std::to_string(suggested) +
            "   ; in [pgbouncer] of the pooler's ini, then RELOAD");
}

Result<std::vector<Finding>> run(Context& ctx) {
    double budget_s = ctx.config.cutover.budget_ms / 1000.0;
    std::vector<Finding> out;
    for (PoolerHandle* p : bouncers(ctx)) {
        auto value = pooler_setting(ctx, *p, "query_wait_timeout");
        if (!value.ok()) return value.take_error();
        double seconds = std::atof(value->c_str());
        if (seconds > 0 && seconds <= budget_s) out.push_back(too_short(ctx, *p, *value, budget_s));
    }
    return out;
}

}  // namespace

Rule pooler_query_wait() {
    return {"pooler-query-wait", "queued clients outlast the cutover budget", run};
}

}  // namespace pgflip::check::rules
