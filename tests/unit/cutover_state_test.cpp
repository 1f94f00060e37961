// What survives between runs (flip.json) and how the end of a flip changes it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cutover/context.hpp"
#include "cutover/flip_state.hpp"
#include "cutover/sql_template.hpp"

namespace pgflip::cutover {
namespace {

FlipState sample() {
    FlipState s;
    s.primary = Side::green;
    s.in_progress = InProgress{"abc", Direction::rollback};
    s.set_target("pgb1", Side::blue, {"10.0.0.1", "5432", "app"});
    s.set_target("pgb1", Side::green, {"10.0.0.2", "5433", "app"});
    s.fences[Side::blue] = {{"app", std::nullopt}, {"reporting", std::string("on")}};
    return s;
}

TEST(FlipState, JsonRoundTrip) {
    auto back = flip_state_from_json(to_json(sample()));
    ASSERT_TRUE(back.ok()) << back.error().str();
    EXPECT_EQ(back->primary, Side::green);
    ASSERT_TRUE(back->in_progress.has_value());
    EXPECT_EQ(back->in_progress->run_id, "abc");
    EXPECT_EQ(back->in_progress->direction, Direction::rollback);
    EXPECT_EQ(*back->target("pgb1", Side::green), (pooler::Target{"10.0.0.2", "5433", "app"}));
    EXPECT_FALSE(back->target("other", Side::blue).has_value());
    ASSERT_EQ(back->fences.count(Side::blue), 1U);
    EXPECT_EQ(back->fences[Side::blue].at("app"), std::nullopt);
    EXPECT_EQ(back->fences[Side::blue].at("reporting"), std::optional<std::string>("on"));
}

TEST(FlipState, NothingSavedMeansTheApplicationIsOnBlue) {
    auto s = flip_state_from_json(nlohmann::json());
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->primary, Side::blue);
    EXPECT_FALSE(s->in_progress.has_value());
}

TEST(FlipState, CorruptDocumentsAreRefused) {
    EXPECT_FALSE(flip_state_from_json(nlohmann::json{{"primary", "purple"}}).ok());
    EXPECT_FALSE(
        flip_state_from_json(nlohmann::json{{"in_progress", {{"direction", "sideways"}}}}).ok());
}

TEST(FlipState, CompletedCutoverKeepsBlueFencedAndUnfencesGreen) {
    FlipState s = sample();
    s.primary = Side::blue;
    s.fences[Side::green] = {{"app", std::nullopt}};
    settle_state(s, Side::green);
    EXPECT_EQ(s.primary, Side::green);
    EXPECT_FALSE(s.in_progress.has_value());
    EXPECT_EQ(s.fences.count(Side::blue), 1U);
    EXPECT_EQ(s.fences.count(Side::green), 0U);
}

TEST(FlipState, ReturnedFlipUnfencesTheOrigin) {
    FlipState s = sample();
    s.primary = Side::blue;
    settle_state(s, Side::blue);
    EXPECT_EQ(s.fences.count(Side::blue), 0U);
}

TEST(FlipState, UnknownOutcomeKeepsTheFlipInProgress) {
    FlipState s = sample();
    settle_state(s, Side::none);
    EXPECT_TRUE(s.in_progress.has_value());
    EXPECT_EQ(s.primary, Side::green);
}

TEST(SqlTemplate, RendersEveryPlaceholder) {
    EXPECT_EQ(render("ALTER SUBSCRIPTION {s} DISABLE; -- {s}", {{"s", "\"x\""}}),
              "ALTER SUBSCRIPTION \"x\" DISABLE; -- \"x\"");
    EXPECT_EQ(render("SELECT '{a,b}'::text[]", {{"s", "y"}}), "SELECT '{a,b}'::text[]");
}

}  // namespace
}  // namespace pgflip::cutover
