// Settling a flip that stopped half-way (pgflip killed, machine rebooted): the watchdog does it
// at once; the next run does it when no watchdog did. Both decide with decide_recovery() from
// the flip's progress and use the same idempotent LiveOps, so settling twice is harmless.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <memory>
#include <string>

#include "cutover/context.hpp"
#include "cutover/progress.hpp"
#include "state/state_dir.hpp"

namespace pgflip::cutover {

struct SettleResult {
    bool ok = false;
    Recovery recovery = Recovery::nothing;
    Side on = Side::none;  //!< where the application writes afterwards; none when unknown
    double ms = 0;
    std::string error;
    std::string notes;
    [[nodiscard]] std::string summary() const;
    [[nodiscard]] nlohmann::json to_json() const;
};

class Settler {
  public:
    //! Connects to both servers and every pooler for the flip `state` says is in progress.
    static Result<std::unique_ptr<Settler>> connect(const config::Config& config,
                                                    const FlipState& state, Clock& clock,
                                                    Deadline deadline);
    //! Settles the flip as `progress` requires; with `dir`, records it in the journal and
    //! saves the settled state there.
    SettleResult settle(const Progress& progress, state::StateDir* dir);

  private:
    Settler(FlipState state, Clock& clock) : state_(std::move(state)), clock_(clock) {}
    SettleResult act(const Progress& progress);
    void save(const SettleResult& result, state::StateDir& dir);

    FlipState state_;
    Clock& clock_;
    std::unique_ptr<LiveContext> ctx_;
    std::unique_ptr<LiveOps> ops_;
};

}  // namespace pgflip::cutover
