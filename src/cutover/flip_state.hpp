// What survives between runs (state directory document "flip"): which side the application
// writes to, the flip in progress if any, where each pooler points for blue and for green, and
// the role settings a fence replaced. Saved before every PAUSE and after every flip, so the
// watchdog or the next run can settle a flip that stopped half-way.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <map>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "cutover/steps.hpp"
#include "pooler/pooler.hpp"
#include "state/state_dir.hpp"

namespace pgflip::cutover {

//! A role's own default_transaction_read_only before the fence (nullopt: it had none).
using RoleSettings = std::map<std::string, std::optional<std::string>>;

//! A flip that started (preconditions passed) and has not been settled yet.
struct InProgress {
    std::string run_id;
    Direction direction = Direction::cutover;
};

struct PoolerTargets {
    std::optional<pooler::Target> blue;
    std::optional<pooler::Target> green;
};

struct FlipState {
    Side primary = Side::blue;  //!< where the application writes
    std::optional<InProgress> in_progress;
    std::map<std::string, PoolerTargets> targets;  //!< by pooler name
    std::map<Side, RoleSettings> fences;           //!< sides pgflip fenced, with the originals

    [[nodiscard]] const std::optional<pooler::Target>& target(const std::string& pooler,
                                                              Side side) const;
    void set_target(const std::string& pooler, Side side, pooler::Target target);
};

[[nodiscard]] nlohmann::json to_json(const FlipState& state);
Result<FlipState> flip_state_from_json(const nlohmann::json& doc);

//! The saved state, or the initial one (application on blue) when none was saved.
Result<FlipState> load_flip_state(const state::StateDir& dir);
Status save_flip_state(state::StateDir& dir, const FlipState& state);
//! Reads the saved state without the directory's lock (the watchdog, while its run holds it).
Result<FlipState> read_flip_state_file(const std::filesystem::path& dir);

}  // namespace pgflip::cutover
