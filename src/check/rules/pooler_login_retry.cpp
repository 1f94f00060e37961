// server_login_retry bounds the worst stall a flip can hit in PgBouncer (DESIGN.md §4).
#include <cstdlib>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

constexpr double kMaxSeconds = 1.0;

Finding too_high(const PoolerHandle& p, const std::string& value) {
    return finding(
        Severity::warning, Side::pooler, pooler_label(p) + ": server_login_retry = " + value,
        "After a failed server login PgBouncer waits server_login_retry seconds before trying "
        "again, and meanwhile the pool serves nobody. A flip can hit that: a per-database "
        "PAUSE, a RELOAD that changes the host, and one new client login before RESUME stall "
        "the whole pool for server_login_retry (15 s by default). pgflip pauses globally when "
        "this PgBouncer serves only the migrated database, but pauses just that database when "
        "it serves others (pause_scope = auto), and then only a low value bounds the stall. "
        "Set it in the ini: an admin-console SET is undone by the next RELOAD.",
        "server_login_retry = 1   ; in [pgbouncer] of the pooler's ini, then RELOAD");
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (PoolerHandle* p : bouncers(ctx)) {
        auto value = pooler_setting(ctx, *p, "server_login_retry");
        if (!value.ok()) return value.take_error();
        if (std::atof(value->c_str()) > kMaxSeconds) out.push_back(too_high(*p, *value));
    }
    return out;
}

}  // namespace

Rule pooler_login_retry() {
    return {"pooler-login-retry", "poolers retry server logins within a second", run};
}

}  // namespace pgflip::check::rules
