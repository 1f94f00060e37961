// pgflip report from a journal, and the flip summary.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "cutover/report.hpp"
#include "cutover/summary.hpp"

namespace pgflip::cutover {
namespace {

nlohmann::json ev(double t, const char* event, nlohmann::json fields = nlohmann::json::object()) {
    fields["t_ms"] = t;
    fields["ts"] = "2024-01-01T00:00:00.000Z";
    fields["event"] = event;
    return fields;
}

std::vector<nlohmann::json> journal() {
    return {
        ev(0, "run_start", {{"op", "cutover"}, {"dry_run", true}}),
        ev(1, "flip_start", {{"run", "dry"}, {"op", "cutover"}, {"dry_run", true}}),
        ev(10, "run_start", {{"op", "cutover"}, {"dry_run", false}}),
        ev(11, "flip_start", {{"run", "r1"}, {"op", "cutover"}}),
        ev(11, "step_start", {{"run", "r1"}, {"step", "preconditions"}}),
        ev(12, "lag_sample", {{"run", "r1"}, {"bytes", 120}, {"round_trip_ms", 2.5}}),
        ev(90, "step_end", {{"run", "r1"}, {"step", "preconditions"}, {"ms", 79.0}, {"ok", true}}),
        ev(90, "step_start", {{"run", "r1"}, {"step", "pause"}}),
        ev(100, "step_end", {{"run", "r1"}, {"step", "pause"}, {"ms", 10.2}, {"ok", true}}),
        ev(100, "step_start", {{"run", "r1"}, {"step", "fence"}}),
        ev(101, "step_end",
           {{"run", "r1"},
            {"step", "fence"},
            {"ms", 1.1},
            {"ok", true},
            {"detail", "1 roles, 0 sessions ended"}}),
        ev(120, "flip_end",
           {{"run", "r1"},
            {"outcome", "completed"},
            {"on", "green"},
            {"blackout_ms", 24.5},
            {"warnings", nlohmann::json::array()}}),
        ev(200, "run_start", {{"op", "cutover"}, {"dry_run", true}}),
    };
}

TEST(Report, PicksTheLastRealSessionOverALaterDryRun) {
    auto r = build_report(journal());
    ASSERT_TRUE(r.ok()) << r.error().str();
    ASSERT_EQ(r->flips.size(), 1U);
    const ReportFlip& f = r->flips[0];
    EXPECT_EQ(f.run, "r1");
    EXPECT_EQ(f.outcome, "completed");
    EXPECT_EQ(f.on, "green");
    ASSERT_TRUE(f.blackout_ms.has_value());
    EXPECT_DOUBLE_EQ(*f.blackout_ms, 24.5);
    ASSERT_EQ(f.steps.size(), 3U);
    EXPECT_DOUBLE_EQ(f.steps[1].at_ms, 79.0);
    EXPECT_TRUE(f.steps[1].blackout);
    EXPECT_FALSE(f.steps[0].blackout);
    EXPECT_EQ(f.steps[2].detail, "1 roles, 0 sessions ended");
    ASSERT_EQ(r->lag.size(), 1U);
    EXPECT_EQ(r->lag[0].bytes, 120);
}

TEST(Report, AnInterruptedFlipShowsItsUnfinishedStep) {
    auto events = journal();
    events.resize(10);  // killed during fence
    auto r = build_report(events);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->flips[0].outcome, "interrupted");
    EXPECT_FALSE(r->flips[0].steps.back().finished);
    EXPECT_NE(render_text(*r).find("fence"), std::string::npos);
}

TEST(Report, EmptyJournalSaysWhatToDo) {
    auto r = build_report({});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().fix.find("pgflip cutover"), std::string::npos);
}

TEST(Report, HtmlIsSelfContained) {
    auto r = build_report(journal());
    ASSERT_TRUE(r.ok());
    const std::string html = render_html(*r);
    EXPECT_NE(html.find("<svg"), std::string::npos);
    EXPECT_NE(html.find("<style>"), std::string::npos);
    EXPECT_NE(html.find("24.5 ms"), std::string::npos);
    EXPECT_EQ(html.find("http"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(Report, JsonCarriesTheTimeline) {
    auto r = build_report(journal());
    ASSERT_TRUE(r.ok());
    nlohmann::json j = to_json(*r);
    EXPECT_EQ(j["flips"][0]["steps"][1]["step"], "pause");
    EXPECT_EQ(j["flips"][0]["blackout_ms"], 24.5);
}

TEST(Summary, LeadsWithTheBlackoutAndListsEveryStep) {
    FlipResult r;
    r.run_id = "r9";
    r.outcome = Outcome::completed;
    r.on = Side::green;
    r.blackout_ms = 61.25;
    r.steps = {{Step::pause, 20.5, true, "", ""},
               {Step::fence, 1.25, true, "", "2 sessions ended"}};
    const std::string text = render_text(r);
    EXPECT_NE(text.find("write blackout: 61.2 ms"), std::string::npos) << text;
    EXPECT_NE(text.find("2 sessions ended"), std::string::npos);
    nlohmann::json j = to_json(r);
    EXPECT_EQ(j["blackout_ms"], 61.25);
    EXPECT_EQ(j["steps"][1]["blackout"], true);
    EXPECT_EQ(j["ok"], true);
}

}  // namespace
}  // namespace pgflip::cutover
