// Replaying executions on blue and green: each one runs on both sides at the same time, inside
// BEGIN READ ONLY ... ROLLBACK, after the read-only pre-filter (statement.hpp) admitted it;
// `concurrency` workers, each with one connection to each side.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "shadow/report.hpp"
#include "shadow/source.hpp"

namespace pgflip::shadow {

struct ReplayOptions {
    int concurrency = 2;
    std::chrono::milliseconds timeout{30000};  //!< per statement and side
    //! Settings the application's driver sets on connect, applied on both sides.
    std::vector<std::pair<std::string, std::string>> settings;
    int max_examples = 3;
    double sample = 1.0;  //!< fraction of the executions kept
    unsigned seed = 1;
};

//! Keeps each execution with probability `fraction`, the same ones for the same seed.
[[nodiscard]] std::vector<Execution> sample(std::vector<Execution> executions, double fraction,
                                            unsigned seed);

//! Replays `executions` and returns the report (an Error only when the servers are unusable).
Result<ShadowReport> replay(const config::Config& config, std::vector<Execution> executions,
                            const ReplayOptions& options);

}  // namespace pgflip::shadow
