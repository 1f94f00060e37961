// The flip state machine's decisions, exact under a fake clock: step order, the blackout, the
// budget, the drain deadline, the way back on any failure before RESUME, and what happens after.
#include <gtest/gtest.h>

#include "cutover_fakes.hpp"

namespace pgflip::cutover {
namespace {

using testing::FakeClock;
using testing::FakeOps;
using testing::RecordingObserver;

class EngineTest : public ::testing::Test {
  protected:
    FakeClock clock;
    FakeOps ops{clock};
    RecordingObserver observer;
    FlipSettings settings;

    FlipResult run() { return run_flip(ops, clock, observer, settings); }
};

Error failure(const char* what) {
    return make_error(Side::green, what);
}

TEST_F(EngineTest, HappyPathRunsEveryStepInOrder) {
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::completed);
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.on, Side::green);
    const std::vector<std::string> want = {"preconditions", "pause",       "fence",  "catch_up",
                                           "sequences",     "arm_reverse", "switch", "resume",
                                           "health",        "cleanup"};
    EXPECT_EQ(ops.calls, want);
    ASSERT_EQ(r.steps.size(), want.size());
    EXPECT_FALSE(r.error.has_value());
}

TEST_F(EngineTest, BlackoutRunsFromPauseIssuedToResumeDone) {
    ops.cost[Step::preconditions] = milliseconds(500);
    ops.cost[Step::pause] = milliseconds(20);
    ops.cost[Step::catch_up] = milliseconds(7);
    ops.cost[Step::health] = milliseconds(300);
    FlipResult r = run();
    ASSERT_TRUE(r.blackout_ms.has_value());
    // pause 20 + fence 1 + catch_up 7 + sequences 1 + arm 1 + switch 1 + resume 1
    EXPECT_DOUBLE_EQ(*r.blackout_ms, 32.0);
}

TEST_F(EngineTest, ObserverHearsEveryStartBeforeItsEnd) {
    run();
    ASSERT_GE(observer.lines.size(), 3U);
    EXPECT_EQ(observer.lines[0], "flip 0000000000001001");
    EXPECT_EQ(observer.lines[1], "start preconditions");
    EXPECT_EQ(observer.lines[2], "end preconditions ok");
    EXPECT_EQ(observer.lines.back(), "done completed");
}

TEST_F(EngineTest, FailedPreconditionRefusesWithoutPausing) {
    ops.fail[Step::preconditions] = failure("not streaming");
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::refused);
    EXPECT_EQ(r.on, Side::blue);
    EXPECT_EQ(ops.calls, std::vector<std::string>{"preconditions"});
    EXPECT_FALSE(r.blackout_ms.has_value());
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(r.error->message, "not streaming");
}

TEST_F(EngineTest, FailureAtAnyBlackoutStepReturnsToOrigin) {
    for (Step failing : {Step::pause, Step::fence, Step::catch_up, Step::sequences,
                         Step::arm_reverse, Step::switch_poolers}) {
        FakeClock c;
        FakeOps o(c);
        RecordingObserver obs;
        o.fail[failing] = failure("boom");
        FlipResult r = run_flip(o, c, obs, settings);
        SCOPED_TRACE(std::string(to_string(failing)));
        EXPECT_EQ(r.outcome, Outcome::returned);
        EXPECT_EQ(r.on, Side::blue);
        EXPECT_EQ(o.calls.back(), "return");
        EXPECT_TRUE(o.returned_with.has_started(failing));
        EXPECT_FALSE(o.returned_with.has_ended(failing));
        EXPECT_TRUE(r.blackout_ms.has_value());
        ASSERT_TRUE(r.error.has_value());
        EXPECT_EQ(r.error->message, "boom");
    }
}

TEST_F(EngineTest, BudgetSpentBeforeAStepTurnsBack) {
    settings.budget = milliseconds(50);
    ops.cost[Step::catch_up] = milliseconds(60);
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::returned);
    // catch_up ran over; the flip turned back before sequences.
    EXPECT_EQ(ops.calls.back(), "return");
    EXPECT_EQ(ops.calls[ops.calls.size() - 2], "catch_up");
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(r.error->sqlstate, "57014");
    EXPECT_NE(r.error->message.find("before step sequences"), std::string::npos);
    // Return ends 3 ms after: pause 1 + fence 1 + catch_up 60 + 3.
    EXPECT_DOUBLE_EQ(*r.blackout_ms, 65.0);
}

TEST_F(EngineTest, EveryBlackoutStepGetsTheBudgetEndAsDeadline) {
    settings.budget = milliseconds(400);
    ops.cost[Step::preconditions] = milliseconds(100);
    run();
    const TimePoint pause_issued = TimePoint(std::chrono::hours(1)) + milliseconds(100);
    // deadlines: preconditions, drain, pause budget, fence, catch_up, sequences, arm, switch
    ASSERT_GE(ops.deadlines.size(), 8U);
    for (size_t i = 2; i < 8; ++i) EXPECT_EQ(ops.deadlines[i], pause_issued + milliseconds(400));
}

TEST_F(EngineTest, DrainDeadlineIsCappedByTheBudget) {
    settings.budget = milliseconds(300);
    settings.drain = milliseconds(1000);
    ops.cost[Step::preconditions] = milliseconds(100);
    run();
    const TimePoint pause_issued = TimePoint(std::chrono::hours(1)) + milliseconds(100);
    EXPECT_EQ(ops.deadlines[1], pause_issued + milliseconds(300));
    settings.drain = milliseconds(80);
    FakeClock c;
    FakeOps o(c);
    run_flip(o, c, observer, settings);
    EXPECT_EQ(o.deadlines[1],
              TimePoint(std::chrono::hours(1)) + milliseconds(1) + milliseconds(80));
}

TEST_F(EngineTest, SwitchOverBudgetStillResumesOnTheDestination) {
    settings.budget = milliseconds(20);
    ops.cost[Step::switch_poolers] = milliseconds(30);
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::completed);
    EXPECT_EQ(r.on, Side::green);
}

TEST_F(EngineTest, FailedHealthLeavesTheApplicationOnTheDestinationMarkedUnhealthy) {
    ops.fail[Step::health] = failure("probe failed");
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::unhealthy);
    EXPECT_EQ(r.on, Side::green);
    EXPECT_EQ(ops.calls.back(), "health");  // no cleanup: the way back needs the old subscription
}

TEST_F(EngineTest, ResumeIsRetriedOnceAndNeverTurnsBack) {
    ops.fail[Step::resume] = failure("admin console gone");
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::unhealthy);
    EXPECT_EQ(r.on, Side::green);
    int resumes = 0;
    for (const auto& c : ops.calls) resumes += c == "resume";
    EXPECT_EQ(resumes, 2);
    for (const auto& c : ops.calls) EXPECT_NE(c, "return");
}

TEST_F(EngineTest, FailedCleanupIsAWarning) {
    ops.fail[Step::cleanup] = failure("drop subscription failed");
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::completed);
    ASSERT_EQ(r.warnings.size(), 1U);
}

TEST_F(EngineTest, FailedReturnIsReported) {
    ops.fail[Step::fence] = failure("fence failed");
    ops.return_fails = true;
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::return_failed);
    EXPECT_EQ(r.on, Side::none);
}

TEST_F(EngineTest, InterruptBeforeAStepTurnsBack) {
    int checks = 0;
    FlipResult r = run_flip(ops, clock, observer, settings, [&] { return ++checks > 2; });
    EXPECT_EQ(r.outcome, Outcome::returned);
    EXPECT_EQ(ops.calls.back(), "return");
}

TEST_F(EngineTest, RollbackEndsOnBlue) {
    settings.direction = Direction::rollback;
    FlipResult r = run();
    EXPECT_EQ(r.on, Side::blue);
    ops.fail[Step::fence] = failure("x");
    FakeClock c;
    FakeOps o(c);
    o.fail[Step::fence] = failure("x");
    EXPECT_EQ(run_flip(o, c, observer, settings).on, Side::green);
}

TEST_F(EngineTest, DryRunWalksEveryStepEvenPastFailures) {
    settings.dry_run = true;
    ops.fail[Step::preconditions] = failure("objects missing");
    ops.fail[Step::sequences] = failure("sequence missing");
    FlipResult r = run();
    EXPECT_EQ(r.outcome, Outcome::dry_run);
    EXPECT_FALSE(r.ok());
    EXPECT_EQ(ops.calls.size(), 10U);
    for (const auto& c : ops.calls) EXPECT_NE(c, "return");
    ASSERT_TRUE(r.error.has_value());
    EXPECT_EQ(r.error->message, "objects missing");
}

TEST_F(EngineTest, CleanDryRunIsOk) {
    settings.dry_run = true;
    EXPECT_TRUE(run().ok());
}

}  // namespace
}  // namespace pgflip::cutover
