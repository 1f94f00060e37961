// The flip meeting trouble, on real PostgreSQL 14 -> 16 behind real PgBouncer under load: a
// transaction held open through the pause (drain policy abort, then cancel), and green stopped
// in the middle of the catch-up.
#include <signal.h>

#include "cutover_fixture.hpp"

namespace pgflip::test {
namespace {

constexpr int kBlue = 14;
constexpr int kGreen = 16;

class FlipTrouble : public ::testing::Test {
  protected:
    static lab::Cluster& blue() { return shared_cluster(kBlue); }
    static lab::Cluster& green() { return shared_cluster(kGreen); }
    void SetUp() override {
        if (!is_installed(kBlue) || !is_installed(kGreen)) GTEST_SKIP() << "PostgreSQL missing";
    }
};

//! A client through the pooler with a transaction open (it holds a server connection).
pg::Connection open_transaction(Migration& m) {
    auto c = connect_or_throw(m.client_conninfo(), Side::pooler);
    c.query_or_throw("BEGIN");
    c.query_or_throw("INSERT INTO items (client, n) VALUES (999, 1)");
    return c;
}

TEST_F(FlipTrouble, HeldTransactionWithAbortPolicyLeavesBlueUntouched) {
    MigrationOptions o;
    o.drain_timeout_ms = 300;
    o.max_xact_age_ms = 60000;  // past the preconditions: the pause itself must cope
    Migration m(blue(), green(), o);
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    auto held = open_transaction(m);
    auto run = m.pgflip({"cutover"});
    EXPECT_EQ(run.exit_code, 1);
    const auto& flip = run.json["flips"][0];
    EXPECT_EQ(flip["outcome"], "returned") << run.out;
    EXPECT_NE(flip["error"]["message"].get<std::string>().find("drain"), std::string::npos)
        << run.out;
    ASSERT_TRUE(flip["blackout_ms"].is_number());
    EXPECT_LT(flip["blackout_ms"].get<double>(), 300 + 200) << "gave up late";
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{blue().port(), false}}));
    held.query_or_throw("COMMIT");  // blue carries on: the held transaction still commits
    ASSERT_TRUE(load.progresses());
    load.stop();
    auto b = m.blue();
    Migration::expect_all_acked(b, load.acked());
    EXPECT_EQ(b.query_or_throw("SELECT count(*) FROM items WHERE client = 999").num(0, 0), 1);
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    // Nothing was left fenced: the application role writes on blue directly too.
    auto direct = connect_or_throw(blue().conninfo(m.db(), kAppRole) + " password=" + kAppPassword);
    direct.query_or_throw("INSERT INTO items (client, n) VALUES (998, 1)");
}

TEST_F(FlipTrouble, HeldTransactionWithCancelPolicyIsTheOnlyOneThatFails) {
    MigrationOptions o;
    o.drain_timeout_ms = 300;
    o.max_xact_age_ms = 60000;
    o.drain_policy = "cancel";
    Migration m(blue(), green(), o);
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    auto held = open_transaction(m);
    auto run = m.pgflip({"cutover"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(run.json.value("on", ""), "green");
    EXPECT_FALSE(held.query("COMMIT").ok()) << "the held transaction should have been ended";
    ASSERT_TRUE(load.progresses());
    load.stop();
    auto g = m.green();
    Migration::expect_all_acked(g, load.acked());
    EXPECT_EQ(g.query_or_throw("SELECT count(*) FROM items WHERE client = 999").num(0, 0), 0);
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
}

TEST_F(FlipTrouble, GreenStoppedDuringCatchUpReturnsToBlueWithinTheBudget) {
    MigrationOptions o;
    o.budget_ms = 2000;
    Migration m(blue(), green(), o);
    Load load(m.client_conninfo(), 3);
    ASSERT_TRUE(load.progresses());
    const std::string stop_green =
        "kill -QUIT $(head -1 " + (green().data_dir() / "postmaster.pid").string() + ")";
    auto run = m.pgflip(
        {"cutover"}, {{"PGFLIP_TEST_EXEC_AT_STEP", "catch_up"}, {"PGFLIP_TEST_EXEC", stop_green}});
    EXPECT_EQ(run.exit_code, 1);
    const auto& flip = run.json["flips"][0];
    EXPECT_EQ(flip["outcome"], "returned") << run.out;
    ASSERT_TRUE(flip["blackout_ms"].is_number());
    EXPECT_LT(flip["blackout_ms"].get<double>(), o.budget_ms);
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{blue().port(), false}}));
    ASSERT_TRUE(load.progresses()) << "blue does not serve writes again";

    // Green comes back; the next cutover catches up and flips.
    for (int i = 0; i < 100 && green().running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    must(green().restart());
    auto again = m.pgflip({"cutover"});
    EXPECT_EQ(again.exit_code, 0) << again.out << again.err;
    m.expect_load_landed(load, Side::green);
}

}  // namespace
}  // namespace pgflip::test
