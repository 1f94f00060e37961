// pgflip verify against real servers (blue 14, green 17 by default; PGFLIP_VERIFY_PAIR="14:18"
// picks another pair): equal databases are equal, exactly the rows changed on green are
// reported, values with formatting traps compare equal across versions and settings, odd
// identifiers work, and a live replication under a steady write load reports no false
// difference while a real one is still found.
#include <atomic>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "lab_fixture.hpp"
#include "verify/verify.hpp"

namespace pgflip::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

// ---- helpers ----------------------------------------------------------------------------------

//! Runs the pgflip binary with `args` in a scratch directory, capturing its output.
CliRun run_pgflip(const std::vector<std::string>& args) {
    const TempDir dir("verify");
    return run_cli(args, dir.path());
}

//! Session settings that make literals in test data mean the same on both sides.
constexpr const char* pinned = "SET TimeZone = 'UTC'; SET DateStyle = 'ISO'; ";

class VerifyTest : public ::testing::TestWithParam<std::pair<int, int>> {
  protected:
    void SetUp() override {
        const std::string name = unique_database_name();
        blue_ = std::make_unique<TestDatabase>(shared_cluster(GetParam().first), name);
        green_ = std::make_unique<TestDatabase>(shared_cluster(GetParam().second), name);
    }
    void TearDown() override {
        if (subscribed_) ignore_failure(green().query("DROP SUBSCRIPTION IF EXISTS verify_sub"));
    }

    pg::Connection blue() const { return blue_->connect(); }
    pg::Connection green() const { return green_->connect(); }
    void on_blue(const std::string& sql) { blue().query_or_throw(pinned + sql); }
    void on_green(const std::string& sql) { green().query_or_throw(pinned + sql); }
    void on_both(const std::string& sql) {
        on_blue(sql);
        on_green(sql);
    }

    [[nodiscard]] config::Config config() const {
        config::Config c;
        c.blue = blue_->conninfo();
        c.green = green_->conninfo();
        c.jobs = 2;
        return c;
    }

    verify::Report verify(verify::Options options = {}) {
        options.data_options.jobs = 2;
        options.data_options.table.max_rows = 100;
        return must(verify::run(config(), options, verify::Progress::Mode::quiet));
    }

    std::vector<std::string> cli(std::vector<std::string> args) const {
        std::vector<std::string> out = {"--blue",           blue_->conninfo(), "--green",
                                        green_->conninfo(), "--state-dir",     "state"};
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }

    //! Publication on blue for all tables, subscription on green; waits until every table is
    //! copied and green has caught up.
    void replicate() {
        on_blue("CREATE PUBLICATION verify_pub FOR ALL TABLES");
        const auto& b = shared_cluster(GetParam().first);
        // Alone: CREATE SUBSCRIPTION cannot run in the implicit transaction of several statements.
        green().query_or_throw("CREATE SUBSCRIPTION verify_sub CONNECTION 'host=127.0.0.1 port=" +
                               std::to_string(b.port()) + " dbname=" + blue_->name() +
                               " user=postgres' PUBLICATION verify_pub");
        subscribed_ = true;
        wait_until_ready();
    }

    //! Waits until green has applied everything blue has written so far.
    void wait_caught_up() {
        const std::string lsn =
            blue().query_or_throw("SELECT pg_current_wal_lsn()::text").str(0, 0);
        auto g = green();
        for (int i = 0; i < 600; ++i) {
            auto rows = g.query_or_throw(
                "SELECT bool_and(latest_end_lsn >= $1::pg_lsn) "
                "FROM pg_stat_subscription WHERE relid IS NULL",
                {lsn});
            if (rows.boolean(0, 0)) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("green did not catch up");
    }

    void wait_until_ready() {
        auto g = green();
        for (int i = 0; i < 600; ++i) {
            auto rows = g.query_or_throw(
                "SELECT count(*) FROM pg_subscription_rel WHERE srsubstate <> 'r'");
            if (rows.num(0, 0) == 0) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        throw std::runtime_error("green's initial copy did not finish");
    }

    std::unique_ptr<TestDatabase> blue_;
    std::unique_ptr<TestDatabase> green_;
    bool subscribed_ = false;
};

const verify::TableResult& table(const verify::Report& report, const std::string& name) {
    for (const auto& t : report.data.tables) {
        if (t.name == name) return t;
    }
    throw std::runtime_error("no result for table " + name);
}

std::set<std::string> keys_of(const verify::TableResult& t, verify::RowDiffKind kind) {
    std::set<std::string> out;
    for (const auto& r : t.rows) {
        if (r.kind == kind) out.insert(verify::format_key(t.key_columns, r.key));
    }
    return out;
}

std::string report_text(const verify::Report& r) {
    return verify::render_text(r, {true, 50});
}

// ---- schema and data used by several tests ----------------------------------------------------

constexpr const char* accounts_schema = R"(
    CREATE TABLE accounts (id bigint PRIMARY KEY, owner text NOT NULL, balance numeric(12,2),
                           opened timestamptz, tags text[]);
    CREATE INDEX accounts_owner ON accounts (owner);
    CREATE TABLE audit (at timestamptz, what text);  -- no key
    CREATE SEQUENCE ticket_seq;
    CREATE FUNCTION bump(x int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT x + 1';
)";

constexpr const char* accounts_data = R"(
    INSERT INTO accounts SELECT g, 'owner ' || (g % 977), (g * 1.37)::numeric(12,2),
           '2024-01-01 00:00:00+00'::timestamptz + g * interval '1 minute 0.5 second',
           ARRAY['t' || (g % 5), 'x"y']
    FROM generate_series(1, 60000) g;
    INSERT INTO audit SELECT '2024-01-01'::timestamptz + g * interval '1 hour', 'event ' || (g % 50)
    FROM generate_series(1, 3000) g;
    ANALYZE;
)";

// ---- equal, and exactly the differences ---------------------------------------------------------

TEST_P(VerifyTest, EqualDatabasesAreEqualAndExitZero) {
    on_both(accounts_schema);
    on_both(accounts_data);
    const CliRun run = run_pgflip(cli({"--json", "verify"}));
    ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
    const json doc = run.doc();
    EXPECT_TRUE(doc["ok"].get<bool>());
    EXPECT_TRUE(doc["schema"]["equal"].get<bool>()) << doc["schema"].dump(2);
    for (const auto& t : doc["data"]["tables"]) EXPECT_EQ(t["status"], "equal") << t.dump(2);
    const auto& accounts = table(verify(), "public.accounts");
    EXPECT_EQ(accounts.blue_rows, 60000);
    EXPECT_GT(accounts.buckets, 1) << "a table this size is split into key ranges";
}

TEST_P(VerifyTest, ExactlyTheDeletedChangedAndAddedRowsAreReported) {
    on_both(accounts_schema);
    on_both(accounts_data);
    on_green("DELETE FROM accounts WHERE id = 17");
    on_green("UPDATE accounts SET balance = balance + 0.01 WHERE id = 42001");
    on_green("INSERT INTO accounts VALUES (60001, 'new', 1, now(), NULL)");
    on_green(
        "DELETE FROM audit WHERE ctid = (SELECT ctid FROM audit WHERE what = 'event 7' LIMIT 1)");

    verify::Options options;
    options.data_options.table.show_values = true;
    const verify::Report report = verify(options);
    const auto& accounts = table(report, "public.accounts");
    EXPECT_EQ(accounts.status, verify::TableStatus::differs);
    EXPECT_EQ(accounts.differences, 3) << report_text(report);
    EXPECT_EQ(keys_of(accounts, verify::RowDiffKind::missing_on_green),
              (std::set<std::string>{"(id)=(17)"}));
    EXPECT_EQ(keys_of(accounts, verify::RowDiffKind::changed),
              (std::set<std::string>{"(id)=(42001)"}));
    EXPECT_EQ(keys_of(accounts, verify::RowDiffKind::extra_on_green),
              (std::set<std::string>{"(id)=(60001)"}));
    for (const auto& r : accounts.rows) {
        if (r.kind == verify::RowDiffKind::changed) {
            EXPECT_EQ(r.columns, (std::vector<std::string>{"balance"}));
        }
    }
    const auto& audit = table(report, "public.audit");
    ASSERT_EQ(audit.rows.size(), 1U) << report_text(report);
    EXPECT_EQ(audit.rows[0].kind, verify::RowDiffKind::missing_on_green);
    EXPECT_EQ(audit.rows[0].blue_copies - audit.rows[0].green_copies, 1);

    const CliRun run = run_pgflip(cli({"verify", "--data", "--show-values"}));
    EXPECT_EQ(run.exit_code, 1) << run.out << run.err;
    EXPECT_NE(run.out.find("changed           (id)=(42001)  columns: balance"), std::string::npos)
        << run.out;
    EXPECT_NE(run.out.find("balance: blue 57541.37 green 57541.38"), std::string::npos) << run.out;
    const CliRun quiet = run_pgflip(cli({"verify", "--data", "--tables", "audit"}));
    EXPECT_EQ(quiet.out.find("accounts"), std::string::npos) << "only the selected table";
}

TEST_P(VerifyTest, SchemaAndSequenceDifferencesAreReported) {
    on_both(accounts_schema);
    on_blue("SELECT nextval('ticket_seq') FROM generate_series(1, 5)");
    on_green("SELECT nextval('ticket_seq')");
    on_green("CREATE INDEX accounts_opened ON accounts (opened)");
    on_green("ALTER TABLE accounts ALTER COLUMN owner SET DEFAULT 'nobody'");
    on_green("DROP FUNCTION bump(int)");
    // Storage parameters count, in either order; the TOAST table's are its own.
    on_both("CREATE TABLE tuned (id int PRIMARY KEY, note text)");
    on_blue("ALTER TABLE tuned SET (fillfactor = 80, autovacuum_enabled = false)");
    on_green("ALTER TABLE tuned SET (autovacuum_enabled = false, fillfactor = 80)");
    on_both("CREATE TABLE toasty (id int PRIMARY KEY, note text)");
    on_green("ALTER TABLE toasty SET (toast.autovacuum_enabled = false)");
    // A TOAST table kept for a dropped column only: a restore does not recreate it, nor its
    // options.
    on_blue(
        "CREATE TABLE slim (id int PRIMARY KEY, gone text) WITH (toast.autovacuum_enabled = off)");
    on_blue("ALTER TABLE slim DROP COLUMN gone");
    on_green("CREATE TABLE slim (id int PRIMARY KEY)");
    const verify::Report report = verify();
    std::set<std::string> diffs;
    for (const auto& d : report.schema.diffs) diffs.insert(d.kind + " " + d.name);
    EXPECT_EQ(diffs,
              (std::set<std::string>{"index public.accounts_opened", "column public.accounts.owner",
                                     "function public.bump(x integer)", "table public.toasty"}))
        << report_text(report);
    ASSERT_EQ(report.sequences.sequences.size(), 1U);
    EXPECT_EQ(report.sequences.sequences[0].status, verify::SequenceStatus::behind);
    EXPECT_TRUE(verify::has_differences(report));
}

// ---- values with formatting traps -------------------------------------------------------------

constexpr const char* traps_types = R"(
    CREATE TYPE pair AS (a int, b text);
    CREATE COLLATION ci (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
)";

constexpr const char* traps_table = R"(
    CREATE TABLE traps (
        id bigint PRIMARY KEY, f4 float4, f8 float8, n numeric, n2 numeric(12,2),
        ts timestamptz, t timestamp, d date, tm time, tz timetz, iv interval, j jsonb, js json,
        arr text[], farr float8[], narr numeric[], b bytea, e mood, ea mood[], ci text COLLATE ci,
        u uuid, m money, p pair, tsv tsvector, r int4range, ip inet);
    CREATE TABLE by_time (at timestamptz PRIMARY KEY, v int);
    CREATE TABLE by_float (x float8 PRIMARY KEY, v int);
    CREATE TABLE by_text (k text PRIMARY KEY, v int);
)";

constexpr const char* traps_data = R"(
    INSERT INTO traps SELECT g, (g / 7.0)::float4, g / 7.0 + 0.1, (g / 3.0)::numeric, g * 1.1,
        '2000-01-01 00:00:00.123456+00'::timestamptz + g * interval '1 hour 1.5 seconds',
        '2000-01-01 00:00:00'::timestamp + g * interval '1 day 0.25 second',
        '2000-02-28'::date + g, '12:34:56.789'::time + g * interval '1 second',
        '12:34:56+05:30'::timetz, g * interval '1 day 2 hours' + interval '1 month',
        jsonb_build_object('n', g / 3.0, 'f', 1.50, 'e', 1e-7, 's', 'ü "q"', 'a', jsonb_build_array(g, NULL, true)),
        json_build_object('k', g, 'x', 'y'),
        ARRAY['a b', 'c,d', 'q"t', NULL], ARRAY[g / 9.0, 0.1], ARRAY[1.10, g],
        decode(lpad(to_hex(g), 8, '0') || '00ff', 'hex'),
        (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::mood, ARRAY['ok', 'happy']::mood[],
        CASE WHEN g % 2 = 0 THEN 'Straße ' || g ELSE 'STRASSE ' || g END,
        md5(g::text)::uuid, (g * 1.25)::numeric::money, ROW(g, 'p' || g)::pair,
        to_tsvector('simple', 'word ' || g), int4range(g, g + 10), ('10.0.' || (g % 250) || '.1')::inet
    FROM generate_series(1, 2000) g;
    INSERT INTO traps (id, f4, f8, n, j) VALUES
        (-1, 'NaN', 'Infinity', 'NaN', '{"big": 123456789012345678901234567890}'),
        (-2, '-Infinity', '-0', '-0.000', '[1e400]'),
        (-3, 1.17549435e-38, 2.2250738585072014e-308, 1e-40, '{"a": {"b": [{}]}}');
    INSERT INTO by_time SELECT '2020-01-01 00:00:00.000001+00'::timestamptz + g * interval '37 seconds 1 microsecond', g
    FROM generate_series(1, 50000) g;
    INSERT INTO by_float SELECT g / 7.0 + 1e-9 * g, g FROM generate_series(1, 50000) g;
    INSERT INTO by_text SELECT 'k ' || chr(192 + g % 60) || ' "' || g || '''', g FROM generate_series(1, 50000) g;
    ANALYZE;
)";

TEST_P(VerifyTest, FormattingTrapsCompareEqualAcrossVersionsAndSettings) {
    // Different result-affecting defaults on each side; verify must see through them.
    on_blue("ALTER DATABASE " + blue().quote_ident(blue_->name()) +
            " SET TimeZone = 'America/Los_Angeles'");
    on_blue("ALTER DATABASE " + blue().quote_ident(blue_->name()) + " SET extra_float_digits = 0");
    for (const char* setting :
         {"TimeZone = 'Asia/Kolkata'", "DateStyle = 'SQL, DMY'", "IntervalStyle = 'sql_standard'",
          "bytea_output = 'escape'", "extra_float_digits = -3", "lc_monetary = 'C'"}) {
        on_green("ALTER DATABASE " + green().quote_ident(green_->name()) + " SET " + setting);
    }
    on_blue("CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy')");
    on_green("CREATE TYPE filler AS ENUM ('x'); CREATE TYPE other AS ENUM ('y')");
    on_green("CREATE TYPE mood AS ENUM ('sad', 'happy')");
    on_green("ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy'");
    on_green("DROP TYPE filler; DROP TYPE other");
    on_both(traps_types);
    on_both(traps_table);
    on_both(traps_data);

    verify::Report report = verify();
    for (const auto& t : report.data.tables) {
        EXPECT_EQ(t.status, verify::TableStatus::equal) << t.name << "\n" << report_text(report);
    }
    EXPECT_TRUE(report.schema.diffs.empty()) << report_text(report);
    EXPECT_GT(table(report, "public.by_time").buckets, 1);
    EXPECT_GT(table(report, "public.by_float").buckets, 1);
    EXPECT_GT(table(report, "public.by_text").buckets, 1);

    // The smallest real differences are still found: one ulp, one microsecond, a case change
    // that the column's case-insensitive collation calls equal, an enum label.
    on_green("UPDATE traps SET f8 = f8 + abs(f8) * 2.3e-16 WHERE id = 10");
    ASSERT_NE(
        blue()
            .query_or_throw("SET extra_float_digits = 3; SELECT f8::text FROM traps WHERE id = 10")
            .str(0, 0),
        green()
            .query_or_throw("SET extra_float_digits = 3; SELECT f8::text FROM traps WHERE id = 10")
            .str(0, 0));
    on_green("UPDATE traps SET ts = ts + interval '1 microsecond' WHERE id = 20");
    on_green("UPDATE traps SET ci = lower(ci) WHERE id = 41");
    on_green("UPDATE traps SET e = 'happy' WHERE id = 30");
    on_green("UPDATE by_float SET v = -1 WHERE x = (SELECT x FROM by_float WHERE v = 777)");
    report = verify();
    const auto& traps = table(report, "public.traps");
    std::map<std::string, std::vector<std::string>> changed;
    for (const auto& r : traps.rows)
        changed[verify::format_key(traps.key_columns, r.key)] = r.columns;
    EXPECT_EQ(changed, (std::map<std::string, std::vector<std::string>>{{"(id)=(10)", {"f8"}},
                                                                        {"(id)=(20)", {"ts"}},
                                                                        {"(id)=(30)", {"e"}},
                                                                        {"(id)=(41)", {"ci"}}}))
        << report_text(report);
    const auto& by_float = table(report, "public.by_float");
    ASSERT_EQ(by_float.rows.size(), 1U) << report_text(report);
    EXPECT_EQ(by_float.rows[0].columns, (std::vector<std::string>{"v"}));
}

// ---- identifiers ------------------------------------------------------------------------------

TEST_P(VerifyTest, OddIdentifiersWork) {
    on_both(R"(
        CREATE SCHEMA "Odd ""Schema""";
        CREATE TABLE "Odd ""Schema"""."select" ("from" int, "a b" text, "ünï" text, "Quote""d" int,
                                               "UPPER" text, PRIMARY KEY ("from", "a b"));
        CREATE TABLE "Odd ""Schema"""."we.ird" ("x y" int, "z" text);
        INSERT INTO "Odd ""Schema"""."select"
            SELECT g, 'k '' ' || g, 'ü' || g, g, 'U' FROM generate_series(1, 30000) g;
        INSERT INTO "Odd ""Schema"""."we.ird" SELECT g, 'z' FROM generate_series(1, 100) g;
        ANALYZE;
    )");
    EXPECT_FALSE(verify::has_differences(verify())) << report_text(verify());
    on_green(R"(UPDATE "Odd ""Schema"""."select" SET "Quote""d" = -1 WHERE "from" = 2345)");
    on_green(R"(UPDATE "Odd ""Schema"""."we.ird" SET "z" = 'w' WHERE "x y" = 5)");

    const CliRun run =
        run_pgflip(cli({"--json", "verify", "--data", "--tables", R"("Odd ""Schema"""."*")"}));
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
    const json doc = run.doc();
    ASSERT_EQ(doc["data"]["tables"].size(), 2U) << doc.dump(2);
    const json& sel = doc["data"]["tables"][0];
    EXPECT_EQ(sel["table"], R"("Odd ""Schema"""."select")");
    ASSERT_EQ(sel["rows"].size(), 1U) << sel.dump(2);
    EXPECT_EQ(sel["rows"][0]["key"], (json{"2345", "k ' 2345"}));
    EXPECT_EQ(sel["rows"][0]["columns"], (json{"Quote\"d"}));
    const json& weird = doc["data"]["tables"][1];
    EXPECT_EQ(weird["table"], R"("Odd ""Schema"""."we.ird")");
    EXPECT_EQ(weird["rows"].size(), 2U) << "one row missing, one extra";
}

TEST_P(VerifyTest, OversizedKeyRangesAreNarrowedBeforeFetchingRows) {
    // Two tenants: every key range holds about 60000 rows, above what is fetched whole.
    on_both(R"(
        CREATE TABLE events (tenant int, id int, body text, PRIMARY KEY (tenant, id));
        INSERT INTO events SELECT g % 2, g, md5(g::text) FROM generate_series(1, 120000) g;
        ANALYZE;
    )");
    on_green("UPDATE events SET body = 'changed' WHERE tenant = 1 AND id = 77777");
    const verify::Report report = verify();
    const auto& events = table(report, "public.events");
    EXPECT_LE(events.buckets, 3);
    EXPECT_EQ(keys_of(events, verify::RowDiffKind::changed),
              (std::set<std::string>{"(tenant, id)=(1, 77777)"}))
        << report_text(report);
}

// ---- live replication ---------------------------------------------------------------------------

//! A steady write load on blue: updates of random accounts and of one hot row, inserts into a
//! table without a key, inserts and deletes in a queue. Runs until stopped.
class WriteLoad {
  public:
    explicit WriteLoad(pg::Connection conn) : conn_(std::move(conn)) {
        thread_ = std::thread([this] { run(); });
    }
    WriteLoad(const WriteLoad&) = delete;
    WriteLoad& operator=(const WriteLoad&) = delete;
    ~WriteLoad() { stop(); }
    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    [[nodiscard]] long long transactions() const { return done_; }
    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    void run() {
        std::mt19937 random(42);
        std::uniform_int_distribution<int> account(1, 59000);
        while (!stop_) {
            const std::string id = std::to_string(account(random));
            auto r =
                conn_.query("BEGIN; UPDATE accounts SET balance = balance + 1 WHERE id = " + id +
                            "; UPDATE accounts SET balance = balance + 1 WHERE id = 60000;"
                            " INSERT INTO audit VALUES (clock_timestamp(), 'load " +
                            id +
                            "');"
                            " INSERT INTO queue (payload) VALUES ('" +
                            id +
                            "');"
                            " DELETE FROM queue WHERE id = (SELECT min(id) FROM queue); COMMIT");
            if (!r.ok()) {
                error_ = r.error().str();
                return;
            }
            ++done_;
            std::this_thread::sleep_for(std::chrono::milliseconds(2));
        }
    }

    pg::Connection conn_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
    std::atomic<long long> done_{0};
    std::string error_;
};

TEST_P(VerifyTest, LiveReplicationUnderLoadReportsNoFalseDifferences) {
    on_both(accounts_schema);
    on_both(
        "CREATE TABLE queue (id bigserial PRIMARY KEY, payload text); "
        "CREATE TABLE still (id int PRIMARY KEY, v text)");
    on_blue(accounts_data);
    on_blue(
        "INSERT INTO queue (payload) SELECT 'p' FROM generate_series(1, 500); "
        "INSERT INTO still SELECT g, 'v' FROM generate_series(1, 1000) g");
    replicate();

    WriteLoad load(blue());
    WriteLoad second_client(blue());
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const long long before = load.transactions();
    verify::Report report = verify();
    EXPECT_GT(load.transactions() - before, 20) << "verify ran under the write load";
    if (std::getenv("PGFLIP_VERIFY_SHOW") != nullptr) std::cout << report_text(report);
    for (const auto& t : report.data.tables) {
        EXPECT_TRUE(t.status == verify::TableStatus::equal ||
                    t.status == verify::TableStatus::unsettled)
            << t.name << " " << verify::to_string(t.status) << "\n"
            << report_text(report);
    }
    EXPECT_FALSE(verify::has_differences(report)) << report_text(report);
    EXPECT_NE(report.data.replication.find("subscription verify_sub enabled"), std::string::npos);

    // Still under load: rows changed on green behind replication's back are real differences.
    on_green("UPDATE still SET v = 'tampered' WHERE id = 500; DELETE FROM still WHERE id = 501");
    on_green("UPDATE accounts SET owner = 'tampered' WHERE id = 59500");  // the load leaves it be
    report = verify();
    EXPECT_EQ(keys_of(table(report, "public.still"), verify::RowDiffKind::changed),
              (std::set<std::string>{"(id)=(500)"}))
        << report_text(report);
    EXPECT_EQ(keys_of(table(report, "public.still"), verify::RowDiffKind::missing_on_green),
              (std::set<std::string>{"(id)=(501)"}));
    EXPECT_EQ(keys_of(table(report, "public.accounts"), verify::RowDiffKind::changed),
              (std::set<std::string>{"(id)=(59500)"}))
        << report_text(report);
    load.stop();
    second_client.stop();
    EXPECT_TRUE(load.error().empty()) << load.error();
    EXPECT_GT(load.transactions(), 50);

    // Replication stopped: what blue writes now is missing on green, and reported so.
    wait_caught_up();
    on_green("ALTER SUBSCRIPTION verify_sub DISABLE");
    on_blue("INSERT INTO still VALUES (5000, 'late')");
    report = verify();
    EXPECT_NE(report.data.replication.find("disabled"), std::string::npos);
    EXPECT_EQ(keys_of(table(report, "public.still"), verify::RowDiffKind::missing_on_green),
              (std::set<std::string>{"(id)=(501)", "(id)=(5000)"}))
        << report_text(report);
}

INSTANTIATE_TEST_SUITE_P(Pairs, VerifyTest,
                         ::testing::ValuesIn(pair_from_env("PGFLIP_VERIFY_PAIR")), pair_name);

}  // namespace
}  // namespace pgflip::test
