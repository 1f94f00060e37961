// Settling an interrupted flip: what the watchdog or the next run decides from the progress.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cutover/progress.hpp"

namespace pgflip::cutover {
namespace {

Progress from_messages(const std::vector<std::string>& lines) {
    Progress p;
    for (const auto& l : lines) EXPECT_TRUE(apply_message(p, l)) << l;
    return p;
}

TEST(Recovery, NothingWhenThePauseNeverStarted) {
    EXPECT_EQ(decide_recovery(from_messages({"flip abc cutover", "start preconditions"})),
              Recovery::nothing);
}

TEST(Recovery, BackToOriginUntilEveryPoolerIsSwitched) {
    for (const char* last :
         {"start pause", "end pause ok", "start fence", "start catch_up", "end sequences ok",
          "start arm_reverse", "end arm_reverse ok", "start switch", "end switch fail"}) {
        Progress p = from_messages({"flip abc cutover", "start preconditions",
                                    "end preconditions ok", "start pause", last});
        EXPECT_EQ(decide_recovery(p), Recovery::back_to_origin) << last;
    }
}

TEST(Recovery, ForwardOnceTheSwitchEnded) {
    Progress p = from_messages({"start pause", "end pause ok", "start switch", "end switch ok"});
    EXPECT_EQ(decide_recovery(p), Recovery::forward);
    apply_message(p, "start resume");
    EXPECT_EQ(decide_recovery(p), Recovery::forward);
    apply_message(p, "start health");
    EXPECT_EQ(decide_recovery(p), Recovery::forward);
}

TEST(Recovery, AReturnThatStartedIsFinished) {
    Progress p = from_messages(
        {"start pause", "end pause ok", "start switch", "end switch ok", "return start"});
    EXPECT_EQ(decide_recovery(p), Recovery::back_to_origin);
}

TEST(Recovery, ANewFlipResetsTheProgress) {
    Progress p = from_messages({"start pause", "end switch ok", "done", "flip def rollback"});
    EXPECT_FALSE(p.finished);
    EXPECT_EQ(decide_recovery(p), Recovery::nothing);
}

TEST(Recovery, DoneMarksTheFlipFinished) {
    EXPECT_TRUE(from_messages({"start pause", "done"}).finished);
    Progress p;
    EXPECT_FALSE(apply_message(p, "hello world"));
}

TEST(Recovery, ProgressFromTheJournalFollowsOneRun) {
    std::vector<nlohmann::json> events = {
        {{"event", "flip_start"}, {"run", "r1"}},
        {{"event", "step_start"}, {"run", "r1"}, {"step", "pause"}},
        {{"event", "step_end"}, {"run", "r1"}, {"step", "pause"}, {"ok", true}},
        {{"event", "step_start"}, {"run", "r1"}, {"step", "switch"}},
        {{"event", "step_end"}, {"run", "r1"}, {"step", "switch"}, {"ok", true}},
        {{"event", "flip_start"}, {"run", "r2"}},
        {{"event", "step_start"}, {"run", "r2"}, {"step", "pause"}},
    };
    Progress r1 = progress_from_journal(events, "r1");
    EXPECT_EQ(decide_recovery(r1), Recovery::forward);
    Progress r2 = progress_from_journal(events, "r2");
    EXPECT_EQ(decide_recovery(r2), Recovery::back_to_origin);
}

TEST(Names, ForwardAndReverseObjectsFromTheMigrationName) {
    FlipNames c = names_for("shop", Direction::cutover);
    EXPECT_EQ(c.old_pub, "shop_pub");
    EXPECT_EQ(c.old_sub, "shop_sub");
    EXPECT_EQ(c.old_slot, "shop_slot");
    EXPECT_EQ(c.back_pub, "shop_reverse_pub");
    EXPECT_EQ(c.back_sub, "shop_reverse_sub");
    EXPECT_EQ(c.back_slot, "shop_reverse_slot");
    FlipNames r = names_for("shop", Direction::rollback);
    EXPECT_EQ(r.old_sub, "shop_reverse_sub");
    EXPECT_EQ(r.back_sub, "shop_sub");
    EXPECT_EQ(r.back_slot, "shop_slot");
}

TEST(Steps, NamesRoundTrip) {
    for (Step s : all_steps()) EXPECT_EQ(parse_step(to_string(s)), s);
    EXPECT_EQ(to_string(Step::switch_poolers), "switch");
    EXPECT_FALSE(parse_step("nope").has_value());
    EXPECT_TRUE(in_blackout(Step::fence));
    EXPECT_FALSE(in_blackout(Step::health));
}

}  // namespace
}  // namespace pgflip::cutover
