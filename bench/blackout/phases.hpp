// The two halves of the bench, on the same stage and under the same load: the write-up's
// runbook flipping back and forth (replication re-armed from scratch between flips, outside
// the measured windows, one pgbench run per flip), and pgflip's cutover and rollback
// alternating under one continuous pgbench run.
#pragma once

#include <string>
#include <vector>

#include "common/result.hpp"
#include "flips.hpp"
#include "stage.hpp"

namespace pgflip::bench {

struct BenchOptions {
    fs::path dir;  //!< logs and generated files
    fs::path pgbench;
    fs::path pgflip;
    fs::path runbook_script;
    int flips = 10;         //!< pgflip flips, cutover and rollback alternating
    int runbook_flips = 5;  //!< runbook flips, direction alternating
    int clients = 16;
    int threads = 2;
    int rate = 0;                      //!< pgbench -R for the whole load; 0: unthrottled
    int warmup_s = 3;                  //!< load before the first flip
    int period_s = 6;                  //!< pgflip: from one flip's start to the next
    int tail_s = 3;                    //!< load after the last flip
    int lsn_budget_s = 10;             //!< the runbook's LSN loop gives up after this
    milliseconds flip_timeout{60000};  //!< a pgflip process running longer is killed
    milliseconds arm_timeout{300000};  //!< initial copy of a re-armed subscription
};

//! What one half measured.
struct PhaseResult {
    std::vector<FlipRun> flips;
    std::vector<double> control_ms;     //!< longest gaps in equally long windows with no flip
    long long committed = 0;            //!< committed transactions in pgbench's logs
    long long rows_gained = 0;          //!< pgbench_history rows gained on the final primary
    long long client_errors = 0;        //!< failed transactions and aborted clients
    std::vector<std::string> problems;  //!< anything that makes the numbers suspect

    [[nodiscard]] long long lost_writes() const { return committed - rows_gained; }
};

Result<PhaseResult> run_runbook_phase(const Stage& stage, const BenchOptions& options);
Result<PhaseResult> run_pgflip_phase(const Stage& stage, const BenchOptions& options);

}  // namespace pgflip::bench
