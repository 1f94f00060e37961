// pgflip setup (DESIGN.md §3): roles, schema, publication, a logical slot whose exported
// snapshot the parallel copy reads, indexes and constraints after the rows, ANALYZE, the
// subscription on that slot, sequences. Every step is journaled and resumable; see setup.cpp
// for how a crash during the copy is recovered without losing or duplicating a row.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "sync/console.hpp"

namespace pgflip::sync {

struct SetupOptions {
    int jobs = 4;               //!< parallel COPY streams, pg_restore jobs, ANALYZE sessions
    long long chunk_bytes = 0;  //!< work item size; 0: chosen from the database size
};

struct SetupReport {
    bool already_complete = false;  //!< nothing was left to do
    bool resumed = false;           //!< continued an interrupted setup
    int generation = 1;             //!< snapshots taken (more than 1 after a crash in the copy)
    std::vector<std::string> recopied_tables;  //!< kept tables that changed between snapshots
    std::string publication, slot, subscription, consistent_point;
    int tables = 0;
    int items = 0;
    int items_copied = 0;  //!< by this run
    long long rows_copied = 0;
    long long bytes_copied = 0;
    int roles_created = 0;
    int sequences_moved = 0;
    int autovacuum_resumed = 0;  //!< tables whose autovacuum was off during the copy (this run)
    std::vector<std::string> warnings;
    std::vector<std::pair<std::string, long long>> step_ms;  //!< steps this run did, in order
    long long total_ms = 0;
};

//! Runs (or resumes) setup to a fully indexed green streaming from blue.
Result<SetupReport> run_setup(const config::Config& config, const SetupOptions& options,
                              Console& console);

[[nodiscard]] nlohmann::json to_json(const SetupReport& report);

}  // namespace pgflip::sync
