// The flip state machine (DESIGN.md §4): runs the steps in order under the budget and the
// drain deadline, returns to the origin on any failure before RESUME, and measures everything.
// Side effects live behind FlipOps and time behind Clock, so its decisions are unit-tested.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"
#include "cutover/clock.hpp"
#include "cutover/progress.hpp"
#include "cutover/steps.hpp"

namespace pgflip::cutover {

//! The side effects of each step, each bounded by its deadline. A dry run implements them
//! without changing anything.
class FlipOps {
  public:
    virtual ~FlipOps() = default;
    //! Checks and prepares everything the flip needs; changes nothing the application sees.
    virtual Status preconditions(Deadline deadline) = 0;
    //! PAUSE every pooler; at `drain` the blocking transactions are given up on (abort) or
    //! cancelled (cancel); `budget` bounds the whole step.
    virtual Status pause(Deadline drain, Deadline budget) = 0;
    virtual Status fence(Deadline deadline) = 0;
    virtual Status catch_up(Deadline deadline) = 0;
    virtual Status sequences(Deadline deadline) = 0;
    virtual Status arm_reverse(Deadline deadline) = 0;
    virtual Status switch_poolers(Deadline deadline) = 0;
    virtual Status resume(Deadline deadline) = 0;
    virtual Status health(Deadline deadline) = 0;
    virtual Status cleanup(Deadline deadline) = 0;
    //! Undoes what `progress` says started (switch back, disarm, unfence) and resumes.
    virtual Status return_to_origin(const Progress& progress, Deadline deadline) = 0;
    //! A short note on the step that just ran ("2 sessions ended", "3 polls"), then cleared.
    virtual std::string take_detail() { return {}; }
};

//! How one flip is run.
struct FlipSettings {
    Direction direction = Direction::cutover;
    milliseconds budget{5000};  //!< PAUSE issued to RESUME done
    milliseconds drain{2000};   //!< how long PAUSE may wait for transactions
    config::DrainPolicy drain_policy = config::DrainPolicy::abort;
    milliseconds prepare_timeout{60000};  //!< preconditions
    milliseconds resume_timeout{5000};    //!< RESUME, once every pooler is switched
    milliseconds return_timeout{15000};   //!< the way back to the origin
    milliseconds health_timeout{10000};
    milliseconds cleanup_timeout{60000};
    bool dry_run = false;
};

enum class Outcome {
    completed,      //!< on the destination, healthy
    unhealthy,      //!< on the destination, but the health probe failed
    returned,       //!< back on the origin after a failure; nothing lost
    refused,        //!< a precondition failed: nothing was paused or changed
    return_failed,  //!< the way back failed: run pgflip again to settle
    dry_run,        //!< walked through without changing anything
};

[[nodiscard]] std::string_view to_string(Outcome outcome);

struct StepTiming {
    Step step = Step::preconditions;
    double ms = 0;
    bool ok = true;
    std::string error;
    std::string detail;  //!< what the step found or did, from FlipOps::take_detail()
};

struct FlipResult {
    std::string run_id;
    Direction direction = Direction::cutover;
    Outcome outcome = Outcome::refused;
    Side on = Side::none;               //!< where the application writes now
    std::optional<double> blackout_ms;  //!< PAUSE issued to RESUME done
    std::optional<double> return_ms;    //!< the way back, when taken
    std::vector<StepTiming> steps;
    std::optional<Error> error;  //!< why the flip did not complete
    std::vector<std::string> warnings;
    [[nodiscard]] bool ok() const {
        return outcome == Outcome::completed || (outcome == Outcome::dry_run && !error);
    }
};

//! Told about every step as it starts and ends: the journal, the watchdog and test hooks.
class StepObserver {
  public:
    virtual ~StepObserver() = default;
    virtual void flip_started(const std::string& run_id, const FlipSettings& settings) = 0;
    virtual void step_started(Step step) = 0;
    virtual void step_ended(const StepTiming& timing) = 0;
    virtual void return_started(const Error& why) = 0;
    virtual void return_ended(const Status& status, double ms) = 0;
    virtual void flip_ended(const FlipResult& result) = 0;
};

//! Runs one flip. `interrupted` is polled between steps (Ctrl-C): true counts as a failure.
FlipResult run_flip(FlipOps& ops, Clock& clock, StepObserver& observer,
                    const FlipSettings& settings, const std::function<bool()>& interrupted = {});

}  // namespace pgflip::cutover
