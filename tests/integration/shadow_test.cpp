// pgflip shadow against real servers (blue 14, green 17 by default; PGFLIP_SHADOW_PAIR="14:18"
// picks another pair): on a query set where green differs from blue by database settings and by
// a version behaviour, exactly those queries are reported; statements that are not reads never
// run on either side; a PostgreSQL log with bind parameters replays the same way.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "lab_fixture.hpp"

namespace pgflip::test {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

CliRun run_pgflip(const std::vector<std::string>& args, const TempDir& dir) {
    return run_cli(args, dir.path());
}

constexpr const char* schema_and_data = R"(
    SET TimeZone = 'UTC';
    CREATE TABLE events (id serial PRIMARY KEY, created timestamptz, day date, amount numeric(10,2),
                         ratio float8, tags text[], doc jsonb);
    INSERT INTO events (created, day, amount, ratio, tags, doc)
        SELECT '2024-03-01 12:00:00+00'::timestamptz + g * interval '5 hours', '2024-03-01'::date + g,
               g * 1.25, g / 3.0, ARRAY['t' || g % 3], jsonb_build_object('g', g, 'half', g / 2.0)
        FROM generate_series(1, 200) g;
    CREATE TABLE log (msg text);
    CREATE FUNCTION write_log() RETURNS int LANGUAGE plpgsql AS
        $$ BEGIN INSERT INTO log VALUES ('written'); RETURN 1; END $$;
)";

// Three queries differ on green: two through its database settings, one through a version
// behaviour (numeric power() with an integer exponent returns another scale since PostgreSQL 16,
// and 10^-20 is no longer rounded to zero). Everything else must compare equal; the statements
// that are not reads must be skipped.
constexpr const char* queries = R"(
-- differs: timestamptz text follows green's database TimeZone
SELECT id, created FROM events WHERE id = $1;
-- parameters: $1 = '1'
-- parameters: $1 = '2'
-- differs: date text follows green's database DateStyle
SELECT day FROM events WHERE id BETWEEN $1 AND $2 ORDER BY day;
-- parameters: $1 = '10', $2 = '12'
-- differs: a version behaviour
SELECT power(10::numeric, $1::int) AS p;
-- parameters: $1 = '-20'
-- equal
SELECT count(*), sum(amount), min(day)::text > '' AS ok FROM events;
SELECT id, amount, tags, doc FROM events WHERE amount > $1 ORDER BY id LIMIT 5;
-- parameters: $1 = '100.5'
SELECT avg(ratio), sum(ratio) FROM events;
SELECT to_char(created AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI') FROM events WHERE id = 3;
SELECT tags[1], count(*) FROM events GROUP BY 1;
SELECT doc->>'half' FROM events WHERE (doc->>'g')::int = $1;
-- parameters: $1 = '7'
SELECT 'semi;colon' AS "odd ""name""", $$dollar;body$$;
SELECT extract(epoch FROM created) FROM events WHERE id = 9;
SELECT write_log();
SELECT * FROM missing_table;
-- never run: not reads
DELETE FROM events;
UPDATE events SET amount = 0;
INSERT INTO log VALUES ('x');
WITH gone AS (DELETE FROM events RETURNING *) SELECT count(*) FROM gone;
SELECT nextval('events_id_seq');
SELECT * FROM events WHERE id = 1 FOR UPDATE;
TRUNCATE log;
)";

class ShadowTest : public ::testing::TestWithParam<std::pair<int, int>> {
  protected:
    void SetUp() override {
        const std::string name = unique_database_name();
        blue_ = std::make_unique<TestDatabase>(shared_cluster(GetParam().first), name);
        green_ = std::make_unique<TestDatabase>(shared_cluster(GetParam().second), name);
        blue_->connect().query_or_throw(schema_and_data);
        green_->connect().query_or_throw(schema_and_data);
        auto g = green_->connect();
        const std::string db = g.quote_ident(green_->name());
        g.query_or_throw("ALTER DATABASE " + db + " SET TimeZone = 'America/New_York'");
        g.query_or_throw("ALTER DATABASE " + db + " SET DateStyle = 'German'");
    }

    std::vector<std::string> cli(std::vector<std::string> args) const {
        std::vector<std::string> out = {"--blue", blue_->conninfo(), "--green", green_->conninfo()};
        out.insert(out.end(), args.begin(), args.end());
        return out;
    }

    //! Nothing was written on either side.
    void expect_untouched() const {
        for (const auto* db : {blue_.get(), green_.get()}) {
            auto c = db->connect();
            EXPECT_EQ(c.query_or_throw("SELECT count(*) FROM events").num(0, 0), 200);
            EXPECT_EQ(c.query_or_throw("SELECT count(*) FROM events WHERE amount = 0").num(0, 0),
                      0);
            EXPECT_EQ(c.query_or_throw("SELECT count(*) FROM log").num(0, 0), 0);
            EXPECT_EQ(c.query_or_throw("SELECT last_value FROM events_id_seq").num(0, 0), 200);
            EXPECT_EQ(c.query_or_throw("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'")
                          .num(0, 0),
                      0);
        }
    }

    std::unique_ptr<TestDatabase> blue_;
    std::unique_ptr<TestDatabase> green_;
};

std::set<std::string> differing(const json& doc) {
    std::set<std::string> out;
    for (const auto& q : doc["queries"]) {
        if (q["differences"].get<long long>() > 0) out.insert(q["fingerprint"].get<std::string>());
    }
    return out;
}

TEST_P(ShadowTest, SettingsAndVersionDifferencesAreReportedAndNothingElse) {
    const TempDir dir("shadow");
    const CliRun run = run_pgflip(
        cli({"--json", "shadow", "--queries", dir.file("queries.sql", queries).string()}), dir);
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err;
    const json doc = run.doc();
    EXPECT_EQ(differing(doc),
              (std::set<std::string>{"select id, created from events where id = ?",
                                     "select day from events where id between ? and ? order by day",
                                     "select power (?::numeric, ?::int) as p"}))
        << doc.dump(2);
    EXPECT_EQ(doc["skipped"], 7) << doc.dump(2);
    for (const auto& q : doc["queries"]) {
        if (q["fingerprint"] == "select power (?::numeric, ?::int) as p") {
            EXPECT_EQ(q["first_difference"]["parameters"], "$1 = '-20'");
            EXPECT_EQ(q["first_difference"]["blue"], "(0.0000000000000000)");
            EXPECT_EQ(q["first_difference"]["green"], "(0.000000000000000000010000000000000000)");
        }
        if (q["fingerprint"] == "select write_log ()") {
            EXPECT_EQ(q["status"], "same error") << "READ ONLY stops the write on both sides";
        }
        if (q["fingerprint"] == "select id, created from events where id = ?") {
            EXPECT_EQ(q["runs"], 2);
            EXPECT_EQ(q["examples"].size(), 2U);
        }
    }
    expect_untouched();

    const CliRun text =
        run_pgflip(cli({"shadow", "--queries", dir.file("q.sql", queries).string()}), dir);
    EXPECT_NE(text.out.find("rows differ: select power (?::numeric, ?::int) as p"),
              std::string::npos)
        << text.out;
    EXPECT_NE(text.out.find("skipped 1x: delete is not a read"), std::string::npos) << text.out;
}

TEST_P(ShadowTest, AClientSettingGivenWithSetHidesTheDatabaseDefault) {
    // An application whose driver sets TimeZone and DateStyle on connect (as PgJDBC does) never
    // sees green's database defaults.
    const TempDir dir("shadow");
    const auto file = dir.file("q.sql", "SELECT created FROM events WHERE id = 1;\n");
    EXPECT_EQ(run_pgflip(cli({"shadow", "--queries", file.string()}), dir).exit_code, 1);
    const CliRun only_zone =
        run_pgflip(cli({"shadow", "--queries", file.string(), "--set", "TimeZone=UTC"}), dir);
    EXPECT_EQ(only_zone.exit_code, 1) << "DateStyle still differs" << only_zone.out;
    const CliRun run = run_pgflip(cli({"shadow", "--queries", file.string(), "--set",
                                       "TimeZone=UTC", "--set", "DateStyle=ISO"}),
                                  dir);
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
}

TEST_P(ShadowTest, APostgresLogWithBindParametersReplays) {
    auto& cluster = shared_cluster(GetParam().first);
    const auto start = fs::file_size(cluster.log_file());
    {
        auto c = blue_->connect();
        c.query_or_throw("SET log_min_duration_statement = 0");
        must(c.query("SELECT id, created FROM events WHERE id = $1", {std::string("5")}));
        must(c.query("SELECT power(10::numeric, $1::int) AS p", {std::string("-20")}));
        must(c.query("SELECT count(*)\nFROM events\nWHERE amount > $1", {std::string("10")}));
        must(c.query("UPDATE events SET amount = amount WHERE id = $1", {std::string("1")}));
        c.query_or_throw("SELECT 'simple protocol'");
    }
    const std::string log = slurp(cluster.log_file()).substr(start);
    const TempDir dir("shadow");
    const CliRun run =
        run_pgflip(cli({"--json", "shadow", "--log", dir.file("pg.log", log).string()}), dir);
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err << log;
    const json doc = run.doc();
    EXPECT_EQ(differing(doc), (std::set<std::string>{"select id, created from events where id = ?",
                                                     "select power (?::numeric, ?::int) as p"}))
        << doc.dump(2);
    EXPECT_EQ(doc["skipped"], 2) << "the UPDATE and the SET" << doc.dump(2);
    for (const auto& q : doc["queries"]) {
        if (q["fingerprint"] == "select id, created from events where id = ?") {
            EXPECT_EQ(q["first_difference"]["parameters"], "$1 = '5'");
        }
    }
}

TEST_P(ShadowTest, ACsvlogWrittenByARealServerReplays) {
    // A server of blue's version writing csvlog through its logging collector, with the
    // application's database under blue's name: the log pgflip reads is the real thing.
    lab::ClusterOptions options;
    options.major = GetParam().first;
    options.settings["logging_collector"] = "on";
    options.settings["log_destination"] = "csvlog";
    options.settings["log_directory"] = "log";
    options.settings["log_filename"] = "app.log";
    options.settings["log_min_duration_statement"] = "0";
    lab::Cluster logged = must(lab::Cluster::start(options));
    const TestDatabase app(logged, blue_->name());
    {
        auto c = app.connect();
        c.query_or_throw("CREATE TABLE events (id int, created timestamptz, amount numeric)");
        must(c.query("SELECT id, created FROM events WHERE id = $1", {std::string("5")}));
        must(c.query("SELECT count(*)\nFROM events\nWHERE amount > $1", {std::string("10")}));
        c.query_or_throw("SELECT 'simple, \"quoted\" protocol'");
    }
    {
        auto other = connect_or_throw(logged.conninfo());  // another database: not replayed
        other.query_or_throw("SELECT 'postgres database'");
    }
    const fs::path csv = logged.data_dir() / "log" / "app.csv";
    std::string log;
    for (int i = 0; i < 200 && log.find("simple, \"\"quoted") == std::string::npos; ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(25));  // the collector writes
        log = slurp(csv);
    }
    ASSERT_NE(log.find("simple, \"\"quoted"), std::string::npos) << log;
    const TempDir dir("shadow");
    const CliRun run = run_pgflip(cli({"--json", "shadow", "--log", csv.string()}), dir);
    ASSERT_EQ(run.exit_code, 1) << run.out << run.err << log;
    const json doc = run.doc();
    EXPECT_EQ(differing(doc),
              (std::set<std::string>{"select id, created from events where id = ?"}))
        << doc.dump(2);
    // Read: the CREATE TABLE and the three reads of the application's database; not the query
    // run in database postgres, nor the CREATE DATABASE run from there.
    EXPECT_EQ(doc["read"], 4) << doc.dump(2);
    EXPECT_EQ(doc["replayed"], 3) << doc.dump(2);
    EXPECT_EQ(doc["skipped"], 1) << "the CREATE TABLE" << doc.dump(2);
    expect_untouched();
}

INSTANTIATE_TEST_SUITE_P(Pairs, ShadowTest,
                         ::testing::ValuesIn(pair_from_env("PGFLIP_SHADOW_PAIR")), pair_name);

}  // namespace
}  // namespace pgflip::test
