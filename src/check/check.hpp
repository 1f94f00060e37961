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
    std::string rule;  //!< id of the rule, e.g. "no-replica-identity"
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

//! How long one rule took, for `check -v` and for measuring check itself.
struct RuleTime {
    std::string rule;
    long long ms = 0;
};

//! Runs every rule; a rule that fails becomes a finding of its own rather than stopping check.
//! Findings come out blockers first, then warnings, then infos, each in rule order.
[[nodiscard]] std::vector<Finding> run_all(Context& context,
                                           std::vector<RuleTime>* times = nullptr);

//! How many findings of each severity.
struct Counts {
    size_t blockers = 0;
    size_t warnings = 0;
    size_t infos = 0;
};
[[nodiscard]] Counts count(const std::vector<Finding>& findings);

//! The human table, in the order given (run_all puts blockers first), then the counts.
[[nodiscard]] std::string render_table(const std::vector<Finding>& findings);
//! [{"rule", "severity", "side", "object", "explanation", "fix"}, ...]
[[nodiscard]] nlohmann::json to_json(const std::vector<Finding>& findings);
//! {"blocker": n, "warning": n, "info": n}
[[nodiscard]] nlohmann::json counts_json(const Counts& counts);
[[nodiscard]] bool has_blocker(const std::vector<Finding>& findings);

}  // namespace pgflip::check
