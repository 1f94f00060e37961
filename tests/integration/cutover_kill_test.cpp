// pgflip killed with kill -9 at each step of a cutover (PGFLIP_TEST_KILL_AT_STEP), under load
// through PgBouncer: the watchdog resumes the poolers (back on blue first when the switch had
// not happened), and running pgflip again ends consistently, with no acknowledged write lost
// and no client error.
#include "cutover_fixture.hpp"

namespace pgflip::test {
namespace {

constexpr int kBlue = 14;
constexpr int kGreen = 16;

bool installed() {
    return is_installed(kBlue) && is_installed(kGreen);
}

class KillAtStep : public ::testing::TestWithParam<std::string> {
  protected:
    void SetUp() override {
        if (!installed()) GTEST_SKIP() << "PostgreSQL missing";
    }
};

//! Where the application should be right after the watchdog settled a kill at `step`.
int port_after_kill(const std::string& step) {
    const bool forward = step == "resume" || step == "health" || step == "cleanup";
    return shared_cluster(forward ? kGreen : kBlue).port();
}

TEST_P(KillAtStep, WatchdogSettlesAndTheNextRunEndsOnGreen) {
    const std::string step = GetParam();
    Migration m(shared_cluster(kBlue), shared_cluster(kGreen));
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());

    auto killed = m.pgflip({"cutover"}, {{"PGFLIP_TEST_KILL_AT_STEP", step}});
    EXPECT_TRUE(killed.killed) << killed.out << killed.err;
    m.wait_for_watchdog();
    EXPECT_EQ(m.pooler_state(),
              (std::vector<std::pair<int, bool>>{{port_after_kill(step), false}}));
    ASSERT_TRUE(load.progresses()) << "clients stuck after the watchdog";

    auto again = m.pgflip({"cutover"});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(again.json.value("on", ""), "green") << again.out;
    EXPECT_EQ(m.pooler_state(),
              (std::vector<std::pair<int, bool>>{{shared_cluster(kGreen).port(), false}}));
    m.expect_load_landed(load, Side::green);
    std::printf("[kill at %s] client-observed longest gap: %.1f ms\n", step.c_str(),
                load.max_gap_ms());
}

INSTANTIATE_TEST_SUITE_P(Cutover, KillAtStep,
                         ::testing::Values("preconditions", "pause", "fence", "catch_up",
                                           "sequences", "arm_reverse", "switch", "resume", "health",
                                           "cleanup"),
                         [](const auto& info) { return info.param; });

TEST(KillDuringRollback, WatchdogReturnsToGreenAndRollbackThenWorks) {
    if (!installed()) GTEST_SKIP() << "PostgreSQL missing";
    Migration m(shared_cluster(kBlue), shared_cluster(kGreen));
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    ASSERT_EQ(m.pgflip({"cutover"}).exit_code, 0);
    auto killed = m.pgflip({"rollback"}, {{"PGFLIP_TEST_KILL_AT_STEP", "arm_reverse"}});
    EXPECT_TRUE(killed.killed);
    m.wait_for_watchdog();
    EXPECT_EQ(m.pooler_state(),
              (std::vector<std::pair<int, bool>>{{shared_cluster(kGreen).port(), false}}));
    ASSERT_TRUE(load.progresses());
    auto again = m.pgflip({"rollback"});
    EXPECT_EQ(again.exit_code, 0) << again.out;
    EXPECT_EQ(again.json.value("on", ""), "blue");
    m.expect_load_landed(load, Side::blue);
}

TEST(KillAndRerunAtOnce, TheRerunWaitsForTheWatchdog) {
    if (!installed()) GTEST_SKIP() << "PostgreSQL missing";
    Migration m(shared_cluster(kBlue), shared_cluster(kGreen));
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    auto killed = m.pgflip({"cutover"}, {{"PGFLIP_TEST_KILL_AT_STEP", "arm_reverse"}});
    EXPECT_TRUE(killed.killed);
    auto again = m.pgflip({"cutover"});  // no waiting: the watchdog may still be settling
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(again.json.value("on", ""), "green") << again.out;
    m.expect_load_landed(load, Side::green);
}

TEST(KillWithoutWatchdog, TheNextRunSettlesFromTheJournal) {
    if (!installed()) GTEST_SKIP() << "PostgreSQL missing";
    Migration m(shared_cluster(kBlue), shared_cluster(kGreen));
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    // Killed during catch-up, and the watchdog killed too: the poolers stay paused.
    auto killed = m.pgflip(
        {"cutover"},
        {{"PGFLIP_TEST_KILL_AT_STEP", "catch_up"},
         {"PGFLIP_TEST_EXEC_AT_STEP", "catch_up"},
         {"PGFLIP_TEST_EXEC", "kill -9 $(cat " + m.state_dir().string() + "/watchdog.pid)"}});
    (void)killed;
    auto again = m.pgflip({"cutover"});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_TRUE(again.json.contains("settled")) << again.out;
    EXPECT_EQ(again.json.value("on", ""), "green");
    m.expect_load_landed(load, Side::green);
}

}  // namespace
}  // namespace pgflip::test
