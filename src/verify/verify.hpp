// pgflip verify: schema, sequences and data of blue and green compared, with lag told apart from
// real differences while green replicates. The entry point the CLI calls.
#pragma once

#include "config/config.hpp"
#include "verify/data.hpp"
#include "verify/progress.hpp"
#include "verify/report.hpp"

namespace pgflip::verify {

struct Options {
    bool schema = true;
    bool sequences = true;
    bool data = true;
    DataOptions data_options;
};

//! Connects, compares what `options` asks for and returns the report. An Error only when verify
//! could not run at all (servers unreachable, catalogs unreadable); per-table failures are in
//! the report.
Result<Report> run(const config::Config& config, const Options& options, Progress::Mode progress);

}  // namespace pgflip::verify
