// Preflight. Each rule lives in its own file under check/rules/ and returns findings: what is
// wrong (or worth knowing), on which object, why it matters, and the exact fix.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "catalog/servers.hpp"
#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::check {

enum class Severity { blocker, warning, info };

[[nodiscard]] std::string_view to_string(Severity severity);

struct Finding {
    std::string rule;         //!< id of the rule, e.g. "no-replica-identity"
    Severity severity = Severity::info;
    Side side = Side::blue;
    std::string object;       //!< e.g. table "public"."orders", or a pooler name
    std::string explanation;  //!< why it matters for the migration
    std::string fix;          //!< exact SQL or configuration change
};

//! A pooler as check sees it: its configuration and, when reachable, its admin console.
struct PoolerHandle {
    const config::Pooler* config = nullptr;
    std::optional<pg::Connection> admin;
};

//! Everything a rule may look at. Rules never change anything.
struct Context {
    const config::Config& config;
    catalog::Servers& servers;
    std::vector<PoolerHandle>& poolers;
    pg::Deadline deadline;
};

struct Rule {
    const char* id;
    const char* title;
    std::function<Result<std::vector<Finding>>(Context&)> run;
};

//! Every rule, in the order they are reported.
[[nodiscard]] const std::vector<Rule>& all_rules();

//! Runs every rule; a rule that fails becomes a finding of its own rather than stopping check.
[[nodiscard]] std::vector<Finding> run_all(Context& context);

//! The human table, blockers first.
[[nodiscard]] std::string render_table(const std::vector<Finding>& findings);
[[nodiscard]] nlohmann::json to_json(const std::vector<Finding>& findings);
[[nodiscard]] bool has_blocker(const std::vector<Finding>& findings);

}  // namespace pgflip::check
