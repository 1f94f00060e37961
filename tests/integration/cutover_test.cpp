// pgflip cutover / rollback / finalize / report against real PostgreSQL 14 -> 16 behind real
// PgBouncer, with a write load through the pooler: no acknowledged write lost, no client error,
// no duplicate key after the flip (bigserial, identity, sequence owned by no column), the way
// back, two poolers flipping together, and the automatic return when the health probe fails.
#include "cutover_fixture.hpp"

namespace pgflip::test {
namespace {

constexpr int kBlue = 14;
constexpr int kGreen = 16;

class Cutover : public ::testing::Test {
  protected:
    static lab::Cluster& blue() { return shared_cluster(kBlue); }
    static lab::Cluster& green() { return shared_cluster(kGreen); }
    void SetUp() override {
        if (!is_installed(kBlue) || !is_installed(kGreen)) GTEST_SKIP() << "PostgreSQL missing";
    }
};

int port_of(const lab::Cluster& c) {
    return c.port();
}

void expect_ok(const PgflipRun& run, const char* on) {
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    ASSERT_TRUE(run.json.is_object()) << run.out << run.err;
    EXPECT_EQ(run.json.value("on", ""), on) << run.out;
}

TEST_F(Cutover, CutoverRollbackCutoverUnderLoadLosesNothing) {
    Migration m(blue(), green());
    Load load(m.client_conninfo(), 4);
    ASSERT_TRUE(load.progresses());

    auto first = m.pgflip({"cutover"});
    expect_ok(first, "green");
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{port_of(green()), false}}));
    ASSERT_TRUE(load.progresses());
    {
        auto g = m.green();
        Migration::expect_all_acked(g, load.acked());
    }

    auto back = m.pgflip({"rollback"});
    expect_ok(back, "blue");
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{port_of(blue()), false}}));
    ASSERT_TRUE(load.progresses());
    {
        auto b = m.blue();
        Migration::expect_all_acked(b, load.acked());
    }

    auto again = m.pgflip({"cutover"});
    expect_ok(again, "green");
    ASSERT_TRUE(load.progresses());
    load.stop();
    auto g = m.green();
    Migration::expect_all_acked(g, load.acked());
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    std::printf("[cutover] client-observed longest gap between writes: %.1f ms\n",
                load.max_gap_ms());
}

TEST_F(Cutover, SequencesIdentityAndUnownedSequencesMoveExactly) {
    Migration m(blue(), green());
    {
        auto b = m.blue();
        b.query_or_throw(
            "SELECT setval('loose_seq', 777777); SELECT nextval('items_id_seq');"
            "CREATE SEQUENCE never_called START 42;"
            "CREATE SEQUENCE set_not_called; SELECT setval('set_not_called', 99, false)");
        auto g = m.green();
        g.query_or_throw("CREATE SEQUENCE never_called START 42; CREATE SEQUENCE set_not_called");
    }
    Load load(m.client_conninfo(), 2);
    ASSERT_TRUE(load.progresses());
    auto run = m.pgflip({"cutover"});
    expect_ok(run, "green");
    ASSERT_TRUE(load.progresses(50));
    load.stop();
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    auto b = m.blue();
    auto g = m.green();
    const char* q =
        "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public' "
        "AND sequencename IN ('never_called', 'set_not_called') ORDER BY 1";
    auto bs = b.query_or_throw(q);
    auto gs = g.query_or_throw(q);
    ASSERT_EQ(bs.size(), gs.size());
    // Never called and set with is_called = false: the next value must be the same on both.
    auto next_b = b.query_or_throw("SELECT nextval('never_called'), nextval('set_not_called')");
    auto next_g = g.query_or_throw("SELECT nextval('never_called'), nextval('set_not_called')");
    EXPECT_EQ(next_g.num(0, 0), 42);
    EXPECT_EQ(next_g.num(0, 1), 99);
    EXPECT_EQ(next_b.num(0, 0), next_g.num(0, 0));
    EXPECT_EQ(next_b.num(0, 1), next_g.num(0, 1));
    auto loose = g.query_or_throw("SELECT min(id) FROM notes WHERE id > 700000");
    EXPECT_GT(loose.num(0, 0), 777777);
}

TEST_F(Cutover, PublicationOfListedTablesGetsTheSentinelAdded) {
    MigrationOptions o;
    o.publish_listed_tables = true;
    o.list_app_roles = true;
    Migration m(blue(), green(), o);
    Load load(m.client_conninfo(), 2);
    ASSERT_TRUE(load.progresses());
    expect_ok(m.pgflip({"cutover"}), "green");
    auto b = m.blue();
    EXPECT_EQ(b.query_or_throw("SELECT count(*) FROM pg_publication_tables WHERE pubname = '" +
                               m.slot_prefix() + "_pub' AND schemaname = 'pgflip'")
                  .num(0, 0),
              1);
    expect_ok(m.pgflip({"rollback"}), "blue");
    ASSERT_TRUE(load.progresses());
    load.stop();
    Migration::expect_all_acked(b, load.acked());
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
}

TEST_F(Cutover, TwoPoolersFlipTogether) {
    MigrationOptions o;
    o.poolers = 2;
    Migration m(blue(), green(), o);
    Load a(m.client_conninfo(0), 2);
    Load b(m.client_conninfo(1), 2, 100);
    ASSERT_TRUE(a.progresses());
    ASSERT_TRUE(b.progresses());
    auto run = m.pgflip({"cutover"});
    expect_ok(run, "green");
    const std::vector<std::pair<int, bool>> both_green = {{port_of(green()), false},
                                                          {port_of(green()), false}};
    EXPECT_EQ(m.pooler_state(), both_green);
    ASSERT_TRUE(a.progresses());
    ASSERT_TRUE(b.progresses());
    a.stop();
    b.stop();
    auto g = m.green();
    Migration::expect_all_acked(g, a.acked());
    Migration::expect_all_acked(g, b.acked());
    EXPECT_TRUE(a.errors().empty()) << a.errors().front();
    EXPECT_TRUE(b.errors().empty()) << b.errors().front();
}

TEST_F(Cutover, FailedHealthProbeReturnsToBlueLosingNothing) {
    Migration m(blue(), green());
    Load load(m.client_conninfo(), 4);
    ASSERT_TRUE(load.progresses());
    auto run = m.pgflip({"cutover"}, {{"PGFLIP_TEST_FAIL_HEALTH", "1"}});
    EXPECT_EQ(run.exit_code, 1);
    ASSERT_TRUE(run.json.is_object()) << run.out << run.err;
    EXPECT_EQ(run.json.value("on", ""), "blue") << run.out;
    ASSERT_EQ(run.json["flips"].size(), 2U) << run.out;
    EXPECT_EQ(run.json["flips"][0]["outcome"], "unhealthy");
    EXPECT_EQ(run.json["flips"][1]["outcome"], "completed");
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{port_of(blue()), false}}));
    ASSERT_TRUE(load.progresses());
    load.stop();
    auto b = m.blue();
    Migration::expect_all_acked(b, load.acked());
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    // And the migration goes on: a second cutover works.
    auto again = m.pgflip({"cutover"});
    expect_ok(again, "green");
}

TEST_F(Cutover, DryRunChangesNothingAndTimesTheSteps) {
    Migration m(blue(), green());
    auto run = m.pgflip({"cutover", "--dry-run"});
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_EQ(run.json["flips"][0]["outcome"], "dry_run");
    EXPECT_EQ(run.json["flips"][0]["steps"].size(), 10U);
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{port_of(blue()), false}}));
    auto g = m.green();
    auto sub = g.query_or_throw("SELECT subenabled FROM pg_subscription");
    ASSERT_EQ(sub.size(), 1);
    EXPECT_TRUE(sub.boolean(0, 0));
    auto b = m.blue();
    EXPECT_EQ(b.query_or_throw("SELECT count(*) FROM pg_subscription").num(0, 0), 0);
    EXPECT_EQ(b.query_or_throw("SELECT to_regclass('pgflip.sentinel') IS NULL").boolean(0, 0),
              true);
}

TEST_F(Cutover, SecondPgflipOnTheSameStateDirectoryIsRefused) {
    Migration m(blue(), green());
    auto held = must(state::StateDir::open(m.state_dir()));
    auto run = m.pgflip({"cutover"});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.out.find("is working on this migration"), std::string::npos) << run.out;
    EXPECT_EQ(m.pooler_state(), (std::vector<std::pair<int, bool>>{{port_of(blue()), false}}));
}

TEST_F(Cutover, ReportAndFinalizeLeaveNothingRetainingWal) {
    Migration m(blue(), green());
    expect_ok(m.pgflip({"cutover"}), "green");
    auto text = m.pgflip({"report"});
    EXPECT_EQ(text.exit_code, 0);
    EXPECT_EQ(text.json["flips"][0]["outcome"], "completed") << text.out;
    auto html = run_pgflip({"--config", m.config_path().string(), "report", "--format", "html"}, {},
                           m.state_dir().parent_path());
    EXPECT_NE(html.out.find("<svg"), std::string::npos);
    auto fin = m.pgflip({"finalize"});
    EXPECT_EQ(fin.exit_code, 0) << fin.out << fin.err;
    for (auto* side : {"blue", "green"}) {
        for (const auto& s : fin.json["slots"][side]) {
            EXPECT_EQ(s["slot"].get<std::string>().rfind(m.slot_prefix(), 0), std::string::npos)
                << s.dump();
        }
    }
    auto b = m.blue();
    auto g = m.green();
    EXPECT_EQ(b.query_or_throw("SELECT count(*) FROM pg_subscription").num(0, 0), 0);
    EXPECT_EQ(g.query_or_throw("SELECT count(*) FROM pg_subscription").num(0, 0), 0);
    EXPECT_EQ(g.query_or_throw("SELECT count(*) FROM pg_publication").num(0, 0), 0);
    EXPECT_TRUE(b.query_or_throw("SELECT to_regclass('pgflip.sentinel') IS NULL").boolean(0, 0));
    // Blue is fenced no more: the application role may write there again.
    auto settings = b.query_or_throw(
        "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase "
        "WHERE d.datname = current_database()");
    EXPECT_EQ(settings.num(0, 0), 0);
}

}  // namespace
}  // namespace pgflip::test
