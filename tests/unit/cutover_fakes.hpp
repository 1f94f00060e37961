// Fakes for the cutover state machine's unit tests: a clock that moves only when told, ops that
// take a scripted time and fail where told, and an observer that remembers what it heard.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "cutover/engine.hpp"

namespace pgflip::cutover::testing {

class FakeClock final : public Clock {
  public:
    TimePoint now() override { return now_; }
    void sleep_for(std::chrono::microseconds d) override { now_ += d; }
    std::uint64_t random() override { return ++counter_; }
    void advance(milliseconds d) { now_ += d; }

  private:
    TimePoint now_{std::chrono::hours(1)};
    std::uint64_t counter_ = 0x1000;
};

//! Every step takes `cost[step]` (1 ms by default) and fails when listed in `fail`.
class FakeOps final : public FlipOps {
  public:
    explicit FakeOps(FakeClock& clock) : clock_(clock) {}

    std::map<Step, milliseconds> cost;
    std::map<Step, Error> fail;
    std::vector<std::string> calls;
    std::vector<Deadline> deadlines;  //!< the deadline each call got (pause: drain, budget)
    Progress returned_with;
    bool return_fails = false;

    Status preconditions(Deadline d) override { return act(Step::preconditions, d); }
    Status pause(Deadline drain, Deadline budget) override {
        deadlines.push_back(drain);
        return act(Step::pause, budget);
    }
    Status fence(Deadline d) override { return act(Step::fence, d); }
    Status catch_up(Deadline d) override { return act(Step::catch_up, d); }
    Status sequences(Deadline d) override { return act(Step::sequences, d); }
    Status arm_reverse(Deadline d) override { return act(Step::arm_reverse, d); }
    Status switch_poolers(Deadline d) override { return act(Step::switch_poolers, d); }
    Status resume(Deadline d) override { return act(Step::resume, d); }
    Status health(Deadline d) override { return act(Step::health, d); }
    Status cleanup(Deadline d) override { return act(Step::cleanup, d); }
    Status return_to_origin(const Progress& progress, Deadline) override {
        calls.emplace_back("return");
        returned_with = progress;
        clock_.advance(milliseconds(3));
        if (return_fails) return make_error(Side::pooler, "cannot resume");
        return {};
    }
    std::string take_detail() override { return {}; }

  private:
    Status act(Step step, Deadline d) {
        calls.emplace_back(to_string(step));
        deadlines.push_back(d);
        auto c = cost.find(step);
        clock_.advance(c == cost.end() ? milliseconds(1) : c->second);
        auto f = fail.find(step);
        if (f != fail.end()) return f->second;
        return {};
    }
    FakeClock& clock_;
};

class RecordingObserver final : public StepObserver {
  public:
    std::vector<std::string> lines;
    void flip_started(const std::string& run, const FlipSettings&) override {
        lines.push_back("flip " + run);
    }
    void step_started(Step s) override { lines.push_back("start " + std::string(to_string(s))); }
    void step_ended(const StepTiming& t) override {
        lines.push_back("end " + std::string(to_string(t.step)) + (t.ok ? " ok" : " fail"));
    }
    void return_started(const Error&) override { lines.emplace_back("return start"); }
    void return_ended(const Status& s, double) override {
        lines.push_back(std::string("return end ") + (s.ok() ? "ok" : "fail"));
    }
    void flip_ended(const FlipResult& r) override {
        lines.push_back("done " + std::string(to_string(r.outcome)));
    }
};

}  // namespace pgflip::cutover::testing
