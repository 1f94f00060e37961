// pgflip status: where the migration stands. Setup's progress (from the state directory, read
// without its lock so status works while setup runs), the subscription on green, the slot on
// blue (WAL it retains, and the limit), lag in bytes and in seconds (a heartbeat written on
// blue and watched for on green), apply errors, time to caught-up, and DDL seen on blue. Each
// side is read on its own: an unreachable one is named, and what the other shows still is.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::sync {

//! One lag measurement, kept between rounds of --watch to see the trend.
struct LagSample {
    long long lag_bytes = 0;  //!< -1: not known (no slot to read it from)
    pg::Clock::time_point at;
};

//! Per-table copy progress read from the journal's setup events.
struct CopyProgress {
    int items_total = 0;
    int items_done = 0;
    long long rows = 0;
    long long bytes = 0;  //!< COPY data moved
    long long est_bytes_done = 0;
    long long est_bytes_total = 0;
    double rate_bytes_s = 0;  //!< planned bytes per second, over the current generation
    //! {table, state, indexes (pending / building / built), items, items_done, rows, ...}
    nlohmann::json tables = nlohmann::json::array();
};

//! Reads setup's plan (setup.json) and journal in `state_dir` into copy progress; nullopt when
//! setup has not planned a copy yet.
[[nodiscard]] std::optional<CopyProgress> copy_progress(const std::string& state_dir);

//! "complete", "not started" or the step setup is at, from its state in `state_dir`.
[[nodiscard]] std::string setup_phase(const std::string& state_dir);

//! Lag from the slot's JSON (status_slot) and the heartbeat's: caught up only when the slot is
//! there and green answers; `sample` is the new reading, `previous` gives the trend.
[[nodiscard]] nlohmann::json measure_lag(const nlohmann::json& slot, const nlohmann::json& beat,
                                         bool green_reachable,
                                         const std::optional<LagSample>& previous,
                                         LagSample& sample);

//! Everything status shows, as a JSON document; "ok" is false when a side is unreachable or
//! the slot setup uses is missing, lost or unreadable. `previous` (from the last --watch round)
//! gives the lag trend; the new sample is returned through `sample`.
Result<nlohmann::json> gather_status(const config::Config& config,
                                     const std::optional<LagSample>& previous, LagSample& sample);

//! The document for people.
[[nodiscard]] std::string render_status(const nlohmann::json& status);

}  // namespace pgflip::sync
