// The subcommands, each implemented in its own cmd_<name>.cpp; main.cpp only parses flags.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace pgflip::cli {

//! Exit codes of every command.
enum ExitCode : int { kOk = 0, kFailure = 1, kUsage = 2 };

struct GlobalOptions {
    config::Overrides overrides;
    bool json = false;
    int verbose = 0;
};

struct CheckOptions {
    bool strict = false;  //!< warnings count as findings too (exit 1)
};

struct SandboxOptions {
    std::string action;  //!< up, down, status
    std::string dir = "sandbox";
    int blue_major = 14;
    int green_major = 16;
    int load_clients = 0;  //!< clients of the steady write load (0: none)
    bool foreground_load = false;
};

//! cutover and rollback: the flip and the flip back (DESIGN.md §4).
struct FlipOptions {
    bool dry_run = false;
    std::optional<int> budget_ms;         //!< overrides cutover.budget_ms
    std::optional<int> drain_timeout_ms;  //!< overrides cutover.drain_timeout_ms
    std::string drain_policy;             //!< "abort" or "cancel"; empty: the configuration's
};

struct ReportOptions {
    std::string format = "text";  //!< text, json or html
    std::string output;           //!< file to write; empty: stdout
};

//! verify: schema, sequences and data compared; none of the three flags means all three.
struct VerifyOptions {
    bool schema = false;
    bool sequences = false;
    bool data = false;
    std::vector<std::string> tables;  //!< patterns: table, schema.table, with * ? and "quotes"
    bool show_values = false;
    int jobs = 0;            //!< tables compared at once; 0: the configuration's jobs
    int rounds = 5;          //!< re-checks of rows that differ while green replicates
    int lag_timeout_s = 30;  //!< longest wait for green to apply what blue had
    int max_rows = 20;       //!< rows listed per table
};

//! shadow: read-only queries replayed on blue and green, results compared.
struct ShadowOptions {
    std::string queries;                //!< a file of ;-separated queries (docs/SHADOW.md)
    std::string log;                    //!< a PostgreSQL log (stderr or csvlog) with statements
    double sample = 1.0;                //!< fraction of the executions replayed
    unsigned seed = 1;                  //!< of the sampling, so a run can be repeated
    int concurrency = 2;                //!< queries in flight on each side
    int timeout_ms = 30000;             //!< per query and side
    int max_examples = 3;               //!< example parameters kept per fingerprint
    std::vector<std::string> settings;  //!< NAME=VALUE the application's driver sets
};

//! setup: the initial sync (DESIGN.md §3).
struct SetupOptions {
    int jobs = 0;      //!< parallel COPY streams and restore jobs; 0: the configuration's jobs
    int chunk_mb = 0;  //!< size of a work item of a large table; 0: chosen from the data
};

//! status: where the migration stands.
struct StatusOptions {
    bool watch = false;
    double interval_s = 2.0;  //!< between rounds of --watch
};

struct WatchdogOptions {
    int ready_fd = -1;  //!< where the watchdog says "ready" to the run that started it
};

int run_check(const GlobalOptions& global, const CheckOptions& options);
int run_cutover(const GlobalOptions& global, const FlipOptions& options);
int run_rollback(const GlobalOptions& global, const FlipOptions& options);
//! What cutover and rollback share: `rollback` picks the direction.
int run_flip_command(const GlobalOptions& global, const FlipOptions& options, bool rollback);
int run_finalize(const GlobalOptions& global);
int run_report(const GlobalOptions& global, const ReportOptions& options);
int run_watchdog(const GlobalOptions& global, const WatchdogOptions& options);
int run_sandbox(const GlobalOptions& global, const SandboxOptions& options);
int run_setup(const GlobalOptions& global, const SetupOptions& options);
int run_status(const GlobalOptions& global, const StatusOptions& options);
int run_verify(const GlobalOptions& global, const VerifyOptions& options);
int run_shadow(const GlobalOptions& global, const ShadowOptions& options);

}  // namespace pgflip::cli
