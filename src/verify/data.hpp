// The data comparison of every selected table: tables paired by name, the largest first, spread
// over `jobs` workers that each hold one connection to blue and one to green.
#pragma once

#include <vector>

#include "config/config.hpp"
#include "verify/progress.hpp"
#include "verify/replication.hpp"
#include "verify/session.hpp"
#include "verify/table_check.hpp"
#include "verify/table_filter.hpp"

namespace pgflip::verify {

struct DataOptions {
    TableOptions table;
    std::vector<TablePattern> tables;  //!< empty: every table
    int jobs = 2;
};

//! What the data comparison will cover.
struct DataPlan {
    std::vector<TablePair> pairs;       //!< on both sides, largest first
    std::vector<TableResult> one_side;  //!< tables missing on one side
    long long bytes = 0;                //!< blue's size of the pairs
};

//! Lists and pairs the selected tables on both sides.
Result<DataPlan> plan_data(SessionPair& pair, const DataOptions& options, pg::Deadline deadline);

//! Compares every table of the plan; `syncing` tables are reported as such, not compared.
[[nodiscard]] DataResult compare_data(const config::Config& config, DataPlan plan,
                                      const Replication& rep, const std::set<std::string>& syncing,
                                      const DataOptions& options, Progress& progress);

}  // namespace pgflip::verify
