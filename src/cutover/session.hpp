// One `pgflip cutover` or `pgflip rollback` run: lock the state directory, settle a flip an
// earlier run left half-way, then flip under the watchdog; if the health probe fails after
// RESUME, flip straight back through the way back. The CLI only prints what this returns.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "cutover/engine.hpp"
#include "cutover/flip_state.hpp"
#include "cutover/settle.hpp"

namespace pgflip::cutover {

struct SessionOptions {
    Direction direction = Direction::cutover;
    bool dry_run = false;
    std::optional<int> budget_ms;
    std::optional<int> drain_timeout_ms;
    std::optional<config::DrainPolicy> drain_policy;
    bool log_steps = true;                 //!< one line per step on stderr
    std::vector<std::string> global_args;  //!< configuration flags, passed to the watchdog
};

struct SessionReport {
    Direction direction = Direction::cutover;
    std::optional<SettleResult> settled;  //!< an interrupted flip settled first
    std::vector<FlipResult> flips;        //!< the flip, then the automatic way back if any
    std::string note;                     //!< e.g. "already on green: nothing to do"
    Side on = Side::none;                 //!< where the application writes at the end
    bool ok = false;
    std::optional<Error> error;  //!< a failure outside any flip (lock, connect)
};

SessionReport run_session(const config::Config& config, const SessionOptions& options);

[[nodiscard]] nlohmann::json to_json(const SessionReport& report);
[[nodiscard]] std::string render_text(const SessionReport& report);

//! Opens the state directory; while a watchdog settles a dead run's flip (it holds the lock),
//! or the lock file names no live process (a holder just starting or just gone), waits (up to
//! `wait`) instead of refusing.
Result<state::StateDir> open_state_dir(const std::filesystem::path& path, Clock& clock,
                                       milliseconds wait = milliseconds(60000));

//! The state directory, open and locked, with the flip state it holds.
struct OpenState {
    state::StateDir dir;
    FlipState flip;
};

//! Opens the state directory (as open_state_dir does) and loads the flip state from it.
Result<OpenState> open_flip_state(const std::filesystem::path& path, Clock& clock);

}  // namespace pgflip::cutover
