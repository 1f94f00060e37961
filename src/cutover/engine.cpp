#include "cutover/engine.hpp"

#include <algorithm>
#include <utility>

namespace pgflip::cutover {

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::completed:
            return "completed";
        case Outcome::unhealthy:
            return "unhealthy";
        case Outcome::returned:
            return "returned";
        case Outcome::refused:
            return "refused";
        case Outcome::return_failed:
            return "return_failed";
        case Outcome::dry_run:
            return "dry_run";
    }
    return "refused";
}

namespace {

Error budget_expired(const FlipSettings& settings, Step next) {
    Error e = make_error(Side::none,
                         "cutover budget of " + std::to_string(settings.budget.count()) +
                             " ms spent before step " + std::string(to_string(next)),
                         "look at the step timings; raise cutover.budget_ms only if the slow "
                         "step is expected");
    e.sqlstate = "57014";
    return e;
}

//! One flip from start to end; the public run_flip() is its only user.
class FlipRun {
  public:
    FlipRun(FlipOps& ops, Clock& clock, StepObserver& observer, const FlipSettings& settings,
            const std::function<bool()>& interrupted)
        : ops_(ops),
          clock_(clock),
          observer_(observer),
          settings_(settings),
          interrupted_(interrupted) {}

    FlipResult run();

  private:
    Status step(Step step, const std::function<Status()>& body);
    bool blackout_step(Step step, const std::function<Status(Deadline)>& body);
    bool pause();
    void resume_and_after();
    void return_to_origin(Error why);
    void finish(Outcome outcome, Side on);
    [[nodiscard]] Deadline after(milliseconds ms) { return clock_.now() + ms; }
    [[nodiscard]] bool is_interrupted() const { return interrupted_ && interrupted_(); }

    FlipOps& ops_;
    Clock& clock_;
    StepObserver& observer_;
    const FlipSettings& settings_;
    const std::function<bool()>& interrupted_;
    FlipResult result_;
    Progress progress_;
    TimePoint pause_issued_{};
    Deadline budget_end_{};
};

Status FlipRun::step(Step s, const std::function<Status()>& body) {
    progress_.started.insert(s);
    observer_.step_started(s);
    const TimePoint start = clock_.now();
    Status status = body();
    StepTiming timing{
        s, fractional_ms_between(start, clock_.now()), status.ok(), {}, ops_.take_detail()};
    if (!status.ok()) timing.error = status.error().str();
    if (status.ok()) progress_.ended_ok.insert(s);
    result_.steps.push_back(timing);
    observer_.step_ended(timing);
    if (!status.ok() && settings_.dry_run && !result_.error) result_.error = status.error();
    return status;
}

//! Runs a step of the blackout within the budget; false when the flip must turn back.
bool FlipRun::blackout_step(Step s, const std::function<Status(Deadline)>& body) {
    if (is_interrupted()) {
        return_to_origin(
            make_error(Side::local, "interrupted before step " + std::string(to_string(s))));
        return false;
    }
    if (clock_.now() >= budget_end_ && !settings_.dry_run) {
        return_to_origin(budget_expired(settings_, s));
        return false;
    }
    Status status = step(s, [&] { return body(budget_end_); });
    if (status.ok() || settings_.dry_run) return true;
    return_to_origin(status.take_error());
    return false;
}

bool FlipRun::pause() {
    pause_issued_ = clock_.now();
    budget_end_ = pause_issued_ + settings_.budget;
    const Deadline drain = std::min(pause_issued_ + settings_.drain, budget_end_);
    Status status = step(Step::pause, [&] { return ops_.pause(drain, budget_end_); });
    if (status.ok() || settings_.dry_run) return true;
    return_to_origin(status.take_error());
    return false;
}

void FlipRun::return_to_origin(Error why) {
    result_.error = why;
    progress_.return_started = true;
    observer_.return_started(why);
    const TimePoint start = clock_.now();
    Status status = ops_.return_to_origin(progress_, after(settings_.return_timeout));
    const TimePoint end = clock_.now();
    result_.return_ms = fractional_ms_between(start, end);
    if (progress_.has_started(Step::pause)) {
        result_.blackout_ms = fractional_ms_between(pause_issued_, end);
    }
    observer_.return_ended(status, *result_.return_ms);
    if (std::string left = ops_.take_detail(); !left.empty()) result_.warnings.push_back(left);
    if (status.ok()) {
        finish(Outcome::returned, origin(settings_.direction));
        return;
    }
    result_.warnings.push_back("the way back failed: " + status.error().str());
    finish(Outcome::return_failed, Side::none);
}

void FlipRun::resume_and_after() {
    Status resumed =
        step(Step::resume, [&] { return ops_.resume(after(settings_.resume_timeout)); });
    if (!resumed.ok() && !settings_.dry_run) {
        // Every pooler points at the destination, which is armed: retrying beats going back.
        resumed = step(Step::resume, [&] { return ops_.resume(after(settings_.resume_timeout)); });
    }
    result_.blackout_ms = fractional_ms_between(pause_issued_, clock_.now());
    const Side dest = destination(settings_.direction);
    if (!resumed.ok() && !settings_.dry_run) {
        result_.error = resumed.error();
        finish(Outcome::unhealthy, dest);
        return;
    }
    Status healthy =
        step(Step::health, [&] { return ops_.health(after(settings_.health_timeout)); });
    if (!healthy.ok() && !settings_.dry_run) {
        result_.error = healthy.error();
        finish(Outcome::unhealthy, dest);
        return;
    }
    Status cleaned =
        step(Step::cleanup, [&] { return ops_.cleanup(after(settings_.cleanup_timeout)); });
    if (!cleaned.ok()) result_.warnings.push_back("cleanup: " + cleaned.error().str());
    if (settings_.dry_run) {
        if (*result_.blackout_ms > static_cast<double>(settings_.budget.count())) {
            result_.warnings.push_back("the measured steps alone exceed the budget");
        }
        finish(Outcome::dry_run, origin(settings_.direction));
        return;
    }
    finish(Outcome::completed, dest);
}

void FlipRun::finish(Outcome outcome, Side on) {
    result_.outcome = outcome;
    result_.on = on;
    observer_.flip_ended(result_);
}

FlipResult FlipRun::run() {
    result_.run_id = random_token(clock_);
    result_.direction = settings_.direction;
    observer_.flip_started(result_.run_id, settings_);
    Status ready = step(Step::preconditions,
                        [&] { return ops_.preconditions(after(settings_.prepare_timeout)); });
    if (!ready.ok() && !settings_.dry_run) {
        result_.error = ready.take_error();
        finish(Outcome::refused, origin(settings_.direction));
        return result_;
    }
    if (is_interrupted() && !settings_.dry_run) {
        result_.error = make_error(Side::local, "interrupted before the pause");
        finish(Outcome::refused, origin(settings_.direction));
        return result_;
    }
    if (!pause()) return result_;
    const std::vector<std::pair<Step, std::function<Status(Deadline)>>> blackout = {
        {Step::fence, [&](Deadline d) { return ops_.fence(d); }},
        {Step::catch_up, [&](Deadline d) { return ops_.catch_up(d); }},
        {Step::sequences, [&](Deadline d) { return ops_.sequences(d); }},
        {Step::arm_reverse, [&](Deadline d) { return ops_.arm_reverse(d); }},
        {Step::switch_poolers, [&](Deadline d) { return ops_.switch_poolers(d); }},
    };
    for (const auto& [s, body] : blackout) {
        if (!blackout_step(s, body)) return result_;
    }
    resume_and_after();
    return result_;
}

}  // namespace

FlipResult run_flip(FlipOps& ops, Clock& clock, StepObserver& observer,
                    const FlipSettings& settings, const std::function<bool()>& interrupted) {
    FlipRun run(ops, clock, observer, settings, interrupted);
    return run.run();
}

}  // namespace pgflip::cutover
