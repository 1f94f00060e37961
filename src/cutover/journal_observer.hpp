// The flip's observer: every step's start and end go to the journal (before and after the step
// acts), to the watchdog's pipe, and to stderr for people; and the test-only kill hook fires.
#pragma once

#include <string>

#include "cutover/engine.hpp"
#include "cutover/watchdog.hpp"
#include "state/state_dir.hpp"

namespace pgflip::cutover {

class JournalObserver final : public StepObserver {
  public:
    //! `log` prints one line per step on stderr.
    JournalObserver(state::StateDir& dir, bool log) : dir_(dir), log_(log) {}

    //! The watchdog of the current flip (owned by the session); null for none.
    void attach(WatchdogLink* watchdog) { watchdog_ = watchdog; }
    //! The run id of the flip being observed (known from flip_started on).
    [[nodiscard]] const std::string& run_id() const { return run_; }

    void flip_started(const std::string& run_id, const FlipSettings& settings) override;
    void step_started(Step step) override;
    void step_ended(const StepTiming& timing) override;
    void return_started(const Error& why) override;
    void return_ended(const Status& status, double ms) override;
    void flip_ended(const FlipResult& result) override;

  private:
    void record(const std::string& event, nlohmann::json fields);
    void tell_watchdog(const std::string& line);

    state::StateDir& dir_;
    bool log_ = false;
    WatchdogLink* watchdog_ = nullptr;
    std::string run_;
    std::string op_;
};

//! Test-only hooks (docs/CUTOVER.md), run right after a step started (journaled, watchdog told):
//! PGFLIP_TEST_EXEC_AT_STEP=<step> runs the shell command in PGFLIP_TEST_EXEC and waits for it;
//! then PGFLIP_TEST_KILL_AT_STEP=<step name, or "return"> makes pgflip SIGKILL itself.
void test_hooks(std::string_view step);

}  // namespace pgflip::cutover
