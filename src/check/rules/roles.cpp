// Roles and their grants are global objects that logical replication does not carry: every
// role of blue must exist on green before the application moves there.
#include <set>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

constexpr const char* kRoles =
    "SELECT quote_ident(rolname) AS role FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY 1";

Result<std::set<std::string>> roles(Context& ctx, const Server& s) {
    auto rows = query(ctx, s, kRoles);
    if (!rows.ok()) return rows.take_error();
    std::set<std::string> out;
    for (const Row& r : rows_of(*rows)) out.insert(r.str("role"));
    return out;
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto on_blue = roles(ctx, blue(ctx));
    if (!on_blue.ok()) return on_blue.take_error();
    auto on_green = roles(ctx, green(ctx));
    if (!on_green.ok()) return on_green.take_error();
    std::vector<std::string> missing;
    for (const auto& r : *on_blue) {
        if (on_green->count(r) == 0) missing.push_back(r);
    }
    if (missing.empty()) return std::vector<Finding>{};
    return std::vector<Finding>{finding(
        Severity::info, Side::green,
        count_of(static_cast<long long>(missing.size()), "role", "roles") + " missing on green",
        "Logical replication carries no roles or grants. Missing on green: " +
            join_some(missing, 20) +
            ". pgflip setup restores blue's roles and grants before the schema; check their "
            "passwords (copied only when pgflip may read them on blue) and memberships "
            "afterwards.")};
}

}  // namespace

Rule roles() {
    return {"roles", "blue's roles exist on green", run};
}

}  // namespace pgflip::check::rules
