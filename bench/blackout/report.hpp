// What the bench prints: per flip kind n, median and worst blackout, the runbook/pgflip ratio,
// lost writes and client errors, each target with its verdict; and the same as JSON.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "phases.hpp"

namespace pgflip::bench {

//! The targets of the issue: pgflip median <= 120 ms and worst <= 300 ms for cutover and
//! rollback alike, at least 2.5x below the runbook's median, no lost write, no client error.
struct Targets {
    double median_ms = 120;
    double worst_ms = 300;
    double ratio = 2.5;
};

struct Report {
    std::string text;  //!< the table and the verdicts, for people
    bool met = false;  //!< every target met (false when a half did not run)
};

//! `pgflip` is empty when pgflip could not flip yet; `why_not` says why.
[[nodiscard]] Report make_report(const PhaseResult& runbook,
                                 const std::optional<PhaseResult>& pgflip,
                                 const std::string& why_not, const Targets& targets);
[[nodiscard]] nlohmann::json to_json(const PhaseResult& phase);

}  // namespace pgflip::bench
