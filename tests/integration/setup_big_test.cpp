// setup on a table of several hundred MB: block ranges copied by several workers at once, and
// kill -9 at the worst moments (in the middle of the copy, during the index builds) followed by
// a second run that completes with green equal to blue and no row twice. One upgrade pair (the
// first of upgrade_pairs()), to keep the suite fast.
#include <algorithm>
#include <set>

#include "setup_fixture.hpp"

namespace pgflip::test {
namespace {

constexpr const char* kBigSchema = R"sql(
CREATE TABLE big (id bigserial PRIMARY KEY, k int NOT NULL, payload text NOT NULL, j jsonb);
INSERT INTO big (k, payload, j)
SELECT g % 1000, repeat(md5(g::text), 28), jsonb_build_object('g', g)
  FROM generate_series(1, %ROWS%) g;
CREATE INDEX big_k_idx ON big (k);
CREATE INDEX big_j_idx ON big ((j->>'g'));
CREATE TABLE small (id serial PRIMARY KEY, v text);
INSERT INTO small (v) SELECT 'x' || g FROM generate_series(1, 1000) g;
)sql";

std::vector<std::string> big_load() {
    return {
        "UPDATE big SET k = k + 1 WHERE id = 1 + (random() * 299999)::int",
        "INSERT INTO big (k, payload) VALUES (0, 'new')",
        "DELETE FROM big WHERE id = 1 + (random() * 299999)::int",
        "INSERT INTO small (v) VALUES ('load')",
        "UPDATE small SET v = v || '.' WHERE id = 1 + (random() * 999)::int",
    };
}

class SetupBig : public ::testing::Test {
  protected:
    void SetUp() override {
        auto pairs = upgrade_pairs();
        if (pairs.empty()) GTEST_SKIP() << "no upgrade pair installed";
        pair_ = pairs.front();
    }
    lab::Cluster& blue_cluster() { return shared_cluster(pair_.first); }
    lab::Cluster& green_cluster() { return shared_cluster(pair_.second); }

    //! About 1 KB a row: 300000 rows are about 300 MB.
    static void fill(const Migration& m, int rows) {
        std::string sql = kBigSchema;
        sql.replace(sql.find("%ROWS%"), 6, std::to_string(rows));
        m.blue().connect().query_or_throw(sql);
    }

    //! Waits until `ready()` or `timeout_s`; false on the timeout.
    template <class Pred>
    static bool wait_for(Pred ready, int timeout_s) {
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
        while (!ready()) {
            if (std::chrono::steady_clock::now() > deadline) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        return true;
    }

    static int count_items(const Migration& m, const std::string& table, const std::string& state) {
        int n = 0;
        for (const auto& e : m.events("setup.copy_item")) {
            n += e["table"] == table && e["state"] == state ? 1 : 0;
        }
        return n;
    }

    static void kill_and_reap(pid_t pid) {
        ::kill(pid, SIGKILL);
        int status = 0;
        ::waitpid(pid, &status, 0);
    }

    //! Starts setup with `args` and kills it (-9) once `items` of big's items are committed;
    //! false when that never happened.
    static bool kill_mid_copy(const Migration& m, const std::vector<std::string>& args, int items) {
        pid_t pid = m.start_setup(args, m.state_dir() / "first.log");
        bool mid_copy = wait_for([&] { return count_items(m, "big", "done") >= items; }, 300);
        kill_and_reap(pid);
        return mid_copy;
    }

    std::pair<int, int> pair_;
};

TEST_F(SetupBig, OneLargeTableIsCopiedBySeveralWorkersAtOnce) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 300000);
    auto size = m.blue().connect().query_or_throw("SELECT pg_table_size('big')");
    EXPECT_GT(size.num(0, 0), 250LL * 1024 * 1024);
    auto report = m.setup({"--jobs", "4"});
    std::printf("[setup] %s of big copied in %s ms total, steps %s\n",
                std::to_string(size.num(0, 0)).c_str(), report["total_ms"].dump().c_str(),
                report["step_ms"].dump().c_str());

    int running = 0;
    int most_at_once = 0;
    std::set<int> workers;
    for (const auto& e : m.events("setup.copy_item")) {
        if (e["table"] != "big") continue;
        workers.insert(e["worker"].get<int>());
        running += e["state"] == "started" ? 1 : -1;
        most_at_once = std::max(most_at_once, running);
        EXPECT_FALSE(e["blocks"].is_null()) << "big is copied in block ranges";
    }
    EXPECT_GE(count_items(m, "big", "done"), 4);
    EXPECT_GE(workers.size(), 3U);
    EXPECT_GE(most_at_once, 3) << "several workers copy big at the same time";

    // big has the most index work, so it is copied first, and its indexes are built and it is
    // analyzed as soon as its rows are in: inside the copy step, not after it.
    auto items = m.events("setup.copy_item");
    ASSERT_FALSE(items.empty());
    EXPECT_EQ(items.front()["table"], "big");
    long long copy_done_ms = -1;
    for (const auto& e : m.events("setup.step")) {
        if (e["step"] == "copy" && e["state"] == "done") copy_done_ms = e["t_ms"].get<long long>();
    }
    long long big_built_ms = -1;
    for (const auto& e : m.events("setup.index_batch")) {
        const auto& tables = e["tables"];
        if (e["state"] == "done" &&
            std::find(tables.begin(), tables.end(), "public.big") != tables.end()) {
            big_built_ms = e["t_ms"].get<long long>();
        }
    }
    ASSERT_GE(big_built_ms, 0) << "big's indexes were not built beside the copy";
    EXPECT_LE(big_built_ms, copy_done_ms);
    auto green = m.green().connect();
    auto built = green.query_or_throw(
        "SELECT count(*) FILTER (WHERE i.indisvalid), count(*), "
        "(SELECT count(*) > 0 FROM pg_statistic WHERE starelid = 'public.big'::regclass) "
        "FROM pg_index i WHERE i.indrelid = 'public.big'::regclass");
    EXPECT_EQ(built.num(0, 0), 3);
    EXPECT_EQ(built.num(0, 1), 3);
    EXPECT_TRUE(built.boolean(0, 2)) << "big analyzed";
    m.wait_caught_up();
    m.expect_same_data();
}

TEST_F(SetupBig, KilledDuringTheCopyUnderLoadResumesWithoutLossOrDuplicates) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 200000);
    WriteLoad load(m.blue().conninfo(), big_load());
    load.start();
    ASSERT_TRUE(kill_mid_copy(m, {"--jobs", "3", "--chunk-mb", "16"}, 2))
        << "the copy never got going";
    int done_before = count_items(m, "big", "done");
    int items_total = 0;
    for (const auto& e : m.events("setup.plan")) items_total = e["items"].get<int>();
    ASSERT_LT(done_before, items_total) << "killed too late to test a resume";

    auto report = m.setup({"--jobs", "3", "--chunk-mb", "16"});
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    load.stop();
    ASSERT_EQ(load.error(), "");
    EXPECT_TRUE(report["resumed"].get<bool>());
    EXPECT_EQ(report["generation"].get<int>(), 2);
    // The load changed big between the two snapshots: its finished items were copied again.
    EXPECT_EQ(report["recopied_tables"], nlohmann::json::array({"public.big"}));
    m.wait_caught_up();
    m.expect_same_data();
    auto dupes =
        m.green().connect().query_or_throw("SELECT count(*) - count(DISTINCT id) FROM big");
    EXPECT_EQ(dupes.num(0, 0), 0);
    auto slots = m.blue().connect().query_or_throw(
        "SELECT string_agg(slot_name, ',') FROM pg_replication_slots WHERE database = "
        "current_database()");
    EXPECT_EQ(slots.str(0, 0), m.name() + "_slot") << "one slot left, under the expected name";
}

TEST_F(SetupBig, FinishedTablesUnchangedBetweenSnapshotsAreKept) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 100000);
    ASSERT_TRUE(kill_mid_copy(m, {"--jobs", "2", "--chunk-mb", "8"}, 2));
    int done_before = count_items(m, "big", "done");
    auto report = m.setup({"--jobs", "2", "--chunk-mb", "8"});
    EXPECT_TRUE(report["recopied_tables"].empty()) << "nothing changed on blue meanwhile";
    EXPECT_GE(report["items"].get<int>() - report["items_copied"].get<int>(), done_before)
        << "items finished before the kill were kept";
    m.wait_caught_up();
    m.expect_same_data();
}

TEST_F(SetupBig, FinalizeAfterAnAbandonedSetupSwitchesAutovacuumBackOn) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 100000);
    ASSERT_TRUE(kill_mid_copy(m, {"--jobs", "2", "--chunk-mb", "8"}, 1));
    auto green = m.green().connect();
    const char* paused =
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname IN ('public', 'pg_toast') AND c.reloptions IS NOT NULL";
    EXPECT_EQ(green.query_or_throw(paused).num(0, 0), 4) << "big, small and their TOAST tables";
    auto fin = m.run({"finalize"});
    EXPECT_EQ(fin.exit_code, 0) << fin.out << fin.err;
    EXPECT_EQ(green.query_or_throw(paused).num(0, 0), 0);
    EXPECT_TRUE(green.query_or_throw("SELECT to_regnamespace('pgflip') IS NULL").boolean(0, 0));
}

TEST_F(SetupBig, KilledDuringIndexBuildsResumes) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 100000);
    pid_t pid = m.start_setup({"--jobs", "2"}, m.state_dir() / "first.log");
    auto green_admin = m.green().connect();
    bool building = wait_for(
        [&] {
            auto r = green_admin.query_or_throw(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name = $1 AND state = 'active' "
                "AND query ILIKE 'CREATE INDEX%'",
                {"pgflip setup " + m.name() + " restore"});
            return r.num(0, 0) > 0;
        },
        300);
    kill_and_reap(pid);
    ASSERT_TRUE(building) << "never saw pg_restore build an index";
    EXPECT_FALSE(m.events("setup.index_batch").empty()) << "killed while building beside the copy";
    for (const auto& e : m.events("setup.step")) {
        EXPECT_FALSE(e["step"] == "post_data" && e["state"] == "done") << "killed too late";
    }
    const char* options =
        "SELECT c.reloptions::text, t.reloptions::text FROM pg_class c "
        "LEFT JOIN pg_class t ON t.oid = c.reltoastrelid WHERE c.oid = 'public.big'::regclass";
    auto paused = green_admin.query_or_throw(options);
    EXPECT_EQ(paused.str(0, 0), "{autovacuum_enabled=false}") << "off while setup works on it";
    EXPECT_EQ(paused.str(0, 1), "{autovacuum_enabled=false}") << "and on its TOAST table";
    auto status = m.status();
    EXPECT_EQ(status["setup"]["autovacuum_paused_tables"], 2) << status["setup"].dump();
    auto report = m.setup({"--jobs", "2"});
    EXPECT_TRUE(report["resumed"].get<bool>());
    EXPECT_EQ(report["autovacuum_resumed"].get<int>(), 2) << "big and small";
    auto resumed = green_admin.query_or_throw(options);
    EXPECT_TRUE(resumed.is_null(0, 0)) << resumed.str(0, 0);
    EXPECT_TRUE(resumed.is_null(0, 1)) << resumed.str(0, 1);
    EXPECT_FALSE(m.status()["setup"].contains("autovacuum_paused_tables"));
    auto green = m.green().connect();
    auto indexes = green.query_or_throw(
        "SELECT count(*) FROM pg_indexes WHERE tablename IN ('big', 'small') AND schemaname = "
        "'public'");
    EXPECT_EQ(indexes.num(0, 0), 4);
    auto invalid = green.query_or_throw("SELECT count(*) FROM pg_index WHERE NOT indisvalid");
    EXPECT_EQ(invalid.num(0, 0), 0);
    m.blue().connect().query_or_throw("INSERT INTO big (k, payload) VALUES (1, 'after')");
    m.wait_caught_up();
    m.expect_same_data();
}

TEST_F(SetupBig, AnotherMigrationsSetupLeavesThisOnesSessionsAlone) {
    Migration first(blue_cluster(), green_cluster());
    fill(first, 100000);
    Migration rehearsal(first, green_cluster());  // same blue database, another name and green
    pid_t pid = first.start_setup({"--jobs", "2", "--chunk-mb", "8"}, first.state_dir() / "a.log");
    bool copying = wait_for([&] { return count_items(first, "big", "done") >= 1; }, 300);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, WNOHANG), 0) << "the first setup ended before the second";
    if (!copying) kill_and_reap(pid);
    ASSERT_TRUE(copying) << "the first setup never got to copying";
    auto report = rehearsal.setup({"--jobs", "2"});
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the first setup lost its sessions: " << slurp(first.state_dir() / "a.log");
    EXPECT_FALSE(report["resumed"].get<bool>());
    first.wait_caught_up();
    first.expect_same_data();
    rehearsal.wait_caught_up();
    rehearsal.expect_same_data();
}

// An index of about 27 MB (fillfactor 10 on wide keys) on 10000 rows: more index work than
// big's, so the table is copied first, and finished before setup is killed in big's copy.
constexpr const char* kFirstTables = R"sql(
CREATE TABLE m (id int NOT NULL, pad text NOT NULL) PARTITION BY RANGE (id);
CREATE TABLE m1 PARTITION OF m FOR VALUES FROM (0) TO (100000);
CREATE TABLE m2 PARTITION OF m FOR VALUES FROM (100000) TO (MAXVALUE);
INSERT INTO m SELECT g, repeat('m', 200) FROM generate_series(1, 10000) g;
INSERT INTO m SELECT 100000 + g, 'm2' FROM generate_series(1, 10) g;
CREATE INDEX m_pad_idx ON m (id, pad) WITH (fillfactor = 10);
CREATE TABLE r (id int PRIMARY KEY, pad text NOT NULL);
INSERT INTO r SELECT g, repeat('r', 200) FROM generate_series(1, 10000) g;
CREATE INDEX r_pad_idx ON r (id, pad) WITH (fillfactor = 10);
)sql";

TEST_F(SetupBig, FinishedTablesTruncatedOrRecreatedMeanwhileAreCopiedAgain) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 60000);
    m.blue().connect().query_or_throw(kFirstTables);
    pid_t pid = m.start_setup({"--jobs", "1", "--chunk-mb", "8"}, m.state_dir() / "first.log");
    bool mid_copy = wait_for([&] { return count_items(m, "big", "done") >= 1; }, 300);
    kill_and_reap(pid);
    ASSERT_TRUE(mid_copy) << "the copy never got going";
    ASSERT_EQ(count_items(m, "m1", "done"), 1) << "m1 is finished before the kill";
    ASSERT_EQ(count_items(m, "r", "done"), 1) << "r is finished before the kill";
    ASSERT_EQ(count_items(m, "m2", "done"), 0) << "killed too late";
    // Neither shows in the old slot's stream: a partition's TRUNCATE is published via the root
    // only for the whole table, and r's new rows belong to a new oid.
    m.blue().connect().query_or_throw(
        "TRUNCATE m1; DROP TABLE r; "
        "CREATE TABLE r (id int PRIMARY KEY, pad text NOT NULL); "
        "CREATE INDEX r_pad_idx ON r (id, pad) WITH (fillfactor = 10); "
        "INSERT INTO r SELECT g, 'again' FROM generate_series(1, 500) g;");
    auto report = m.setup({"--jobs", "2", "--chunk-mb", "8"});
    EXPECT_TRUE(report["resumed"].get<bool>());
    auto recopied = report["recopied_tables"];
    EXPECT_NE(std::find(recopied.begin(), recopied.end(), "public.m1"), recopied.end())
        << recopied.dump();
    EXPECT_NE(std::find(recopied.begin(), recopied.end(), "public.r"), recopied.end())
        << recopied.dump();
    m.wait_caught_up();
    m.expect_same_data();
    auto green = m.green().connect();
    EXPECT_EQ(green.query_or_throw("SELECT count(*) FROM r WHERE pad = 'again'").num(0, 0), 500);
    EXPECT_EQ(
        green.query_or_throw("SELECT count(*) FROM pg_indexes WHERE tablename = 'r'").num(0, 0), 2);
}

TEST_F(SetupBig, DdlOnBlueWhileSetupWasDeadIsAcceptedOnceGreenHasIt) {
    Migration m(blue_cluster(), green_cluster());
    fill(m, 100000);
    ASSERT_TRUE(kill_mid_copy(m, {"--jobs", "2", "--chunk-mb", "8"}, 2));
    const char* ddl =
        "ALTER TABLE big ADD COLUMN extra int NOT NULL DEFAULT 7; "
        "ALTER TABLE small ADD CONSTRAINT small_v_check CHECK (v <> '')";
    auto blue = m.blue().connect();
    blue.query_or_throw(ddl);
    blue.query_or_throw("UPDATE big SET extra = id % 13 WHERE id % 10 = 0");
    size_t snapshots = m.events("setup.snapshot").size();

    auto refused = m.run({"setup", "--jobs", "2", "--chunk-mb", "8"});
    EXPECT_NE(refused.exit_code, 0);
    EXPECT_NE((refused.out + refused.err).find("public.big"), std::string::npos)
        << refused.out << refused.err;
    EXPECT_NE((refused.out + refused.err).find("run the same DDL on green"), std::string::npos)
        << refused.out << refused.err;
    EXPECT_EQ(m.events("setup.snapshot").size(), snapshots) << "no snapshot spent on it";
    auto again = m.run({"setup", "--jobs", "2", "--chunk-mb", "8"});
    EXPECT_NE(again.exit_code, 0) << "still refused while green lacks the DDL";

    m.green().connect().query_or_throw(ddl);
    auto report = m.setup({"--jobs", "2", "--chunk-mb", "8"});
    EXPECT_TRUE(report["resumed"].get<bool>());
    blue.query_or_throw("UPDATE big SET extra = 99 WHERE id = 2");
    m.wait_caught_up();
    m.expect_same_data();
    auto extra = m.green().connect().query_or_throw(
        "SELECT count(*) FILTER (WHERE extra = 7), count(*) FILTER (WHERE extra = 99) FROM big");
    auto on_blue = blue.query_or_throw(
        "SELECT count(*) FILTER (WHERE extra = 7), count(*) FILTER (WHERE extra = 99) FROM big");
    EXPECT_EQ(extra.num(0, 0), on_blue.num(0, 0));
    EXPECT_EQ(extra.num(0, 1), 1);
    auto dupes =
        m.green().connect().query_or_throw("SELECT count(*) - count(DISTINCT id) FROM big");
    EXPECT_EQ(dupes.num(0, 0), 0);
}

TEST_F(SetupBig, DdlBetweenSchemaRestoreAndPlanIsNotHidden) {
    Migration m(blue_cluster(), green_cluster());
    auto blue = m.blue().connect();
    blue.query_or_throw(
        "CREATE TABLE t (id int PRIMARY KEY, v text); "
        "INSERT INTO t SELECT g, 'v' || g FROM generate_series(1, 1000) g; "
        "CREATE TABLE u (id int PRIMARY KEY, k int); "
        "INSERT INTO u SELECT g, g % 10 FROM generate_series(1, 1000) g;");
    // Setup is stopped exactly between the schema restore on green and the plan: a lock on
    // pgflip.sentinel, which the plan's size query waits for and nothing before it touches
    // (pg_dump leaves pgflip out). Taken once the slot exists: an ACCESS EXCLUSIVE lock gets a
    // transaction id, which slot creation would wait for.
    auto locker = m.blue().connect();
    pid_t pid = m.start_setup({"--jobs", "2"}, m.state_dir() / "first.log");
    bool created = false;
    for (auto until = std::chrono::steady_clock::now() + std::chrono::seconds(120);
         !created && std::chrono::steady_clock::now() < until;) {
        created = !m.events("setup.snapshot").empty();
    }
    if (created)
        locker.query_or_throw("BEGIN; LOCK TABLE pgflip.sentinel IN ACCESS EXCLUSIVE MODE");
    auto admin = m.blue().connect();
    bool planning = created && wait_for(
                                   [&] {
                                       return admin
                                                  .query_or_throw(
                                                      "SELECT count(*) FROM pg_locks l JOIN "
                                                      "pg_stat_activity a USING (pid) WHERE "
                                                      "a.application_name = $1 AND NOT l.granted "
                                                      "AND l.relation = "
                                                      "'pgflip.sentinel'::regclass",
                                                      {"pgflip setup " + m.name() + " plan"})
                                                  .num(0, 0) > 0;
                                   },
                                   120);
    kill_and_reap(pid);
    ASSERT_TRUE(created) << "setup never created its objects on blue";
    ASSERT_TRUE(planning) << "the plan never waited for pgflip.sentinel: "
                          << slurp(m.state_dir() / "first.log");
    EXPECT_TRUE(m.green()
                    .connect()
                    .query_or_throw("SELECT to_regclass('pgflip.copy_done') IS NOT NULL")
                    .boolean(0, 0))
        << "green's schema is restored";
    blue.query_or_throw("CREATE INDEX u_k_idx ON u (k)");
    locker.query_or_throw("ROLLBACK");

    auto report = m.setup({"--jobs", "2"});
    EXPECT_TRUE(report["resumed"].get<bool>());
    auto index = m.green().connect().query_or_throw(
        "SELECT count(*) FROM pg_indexes WHERE schemaname = 'public' AND indexname = 'u_k_idx'");
    EXPECT_EQ(index.num(0, 0), 1) << "the index blue got meanwhile is on green";
    m.wait_caught_up();
    m.expect_same_data();
}

}  // namespace
}  // namespace pgflip::test
