// pgflip setup and status against real servers, for every upgrade pair (14 -> 16, 15 -> 17, ...):
// a copy under a steady write load ends with green equal to blue; types and odd identifiers
// survive; status reports streaming, lag, the slot and DDL run on blue afterwards, and says so
// when the slot is gone or green is down; an interrupted roles step leaves no half-made role.
#include "setup_fixture.hpp"
#include "sync/slot.hpp"
#include "sync/state.hpp"

namespace pgflip::test {
namespace {

class SetupTest : public ::testing::TestWithParam<std::pair<int, int>> {
  protected:
    lab::Cluster& blue_cluster() { return shared_cluster(GetParam().first); }
    lab::Cluster& green_cluster() { return shared_cluster(GetParam().second); }
};

constexpr const char* kShopSchema = R"sql(
CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    balance numeric(14, 2) NOT NULL DEFAULT 0
);
CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    amount numeric(12, 2),
    status text NOT NULL DEFAULT 'new',
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_account_idx ON orders (account_id);
CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE measurements (
    id bigserial,
    at date NOT NULL,
    v float8,
    PRIMARY KEY (id, at)
) PARTITION BY RANGE (at);
CREATE TABLE measurements_2024 PARTITION OF measurements FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE measurements_2025 PARTITION OF measurements FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE wide (id int PRIMARY KEY, payload text NOT NULL);
CREATE SEQUENCE invoice_numbers START 1000;
INSERT INTO accounts (name, balance) SELECT 'account ' || g, g % 1000 FROM generate_series(1, 1000) g;
INSERT INTO orders (account_id, amount) SELECT 1 + g % 1000, g % 500 FROM generate_series(1, 20000) g;
INSERT INTO events (kind) SELECT 'seed' FROM generate_series(1, 2000);
INSERT INTO measurements (at, v) SELECT date '2024-01-01' + g % 700, g / 7.0 FROM generate_series(1, 20000) g;
INSERT INTO wide SELECT g, repeat(md5(g::text), 8) FROM generate_series(1, 100000) g;
SELECT nextval('invoice_numbers') FROM generate_series(1, 10);
)sql";

//! What the application keeps doing on blue while setup runs.
std::vector<std::string> shop_load() {
    return {
        "INSERT INTO orders (account_id, amount) VALUES (1 + (random() * 999)::int, random() * "
        "100)",
        "UPDATE accounts SET balance = balance + 1 WHERE id = 1 + (random() * 999)::int",
        "DELETE FROM orders WHERE id = (SELECT min(id) FROM orders)",
        "INSERT INTO events (kind) VALUES ('load')",
        "INSERT INTO measurements (at, v) VALUES (date '2024-01-01' + (random() * 700)::int, "
        "random())",
        "UPDATE wide SET payload = md5(random()::text) WHERE id = 1 + (random() * 99999)::int",
        "DELETE FROM wide WHERE id = 1 + (random() * 99999)::int",
        "SELECT nextval('invoice_numbers')",
    };
}

TEST_P(SetupTest, GreenEqualsBlueAfterACopyUnderWriteLoad) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kShopSchema);
    WriteLoad load(m.blue().conninfo(), shop_load());
    load.start();
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    long long before = load.commits();
    auto report = m.setup({"--jobs", "3", "--chunk-mb", "2"});
    long long during = load.commits() - before;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    load.stop();
    ASSERT_EQ(load.error(), "");
    EXPECT_GT(during, 20) << "the load must run during the whole setup";
    EXPECT_TRUE(report["ok"].get<bool>());
    EXPECT_GT(report["items"].get<int>(), report["tables"].get<int>()) << "wide is split";

    m.wait_caught_up();
    m.expect_same_data();

    auto status = m.status();
    EXPECT_EQ(status["setup"]["state"], "complete");
    EXPECT_EQ(status["subscription"]["state"], "streaming");
    EXPECT_TRUE(status["slot"]["exists"].get<bool>());
    EXPECT_TRUE(status["lag"]["heartbeat_applied"].get<bool>()) << status.dump();
    EXPECT_TRUE(status["lag"]["caught_up"].get<bool>());
    EXPECT_FALSE(status["schema_drift"]["detected"].get<bool>()) << status.dump();
    EXPECT_EQ(status["setup"]["copy"]["items_done"], status["setup"]["copy"]["items_total"]);
    for (const auto& t : status["setup"]["copy"]["tables"]) {
        EXPECT_EQ(t["indexes"], "built") << t.dump();
    }
}

TEST_P(SetupTest, IndexesConstraintsAndForeignKeysAreBuiltAndValid) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kShopSchema);
    // Built beside the copy: an exclusion constraint, an expression index (its statistics need
    // the index in place before ANALYZE). Left for after the copy: the extended statistics on
    // orders, so orders is analyzed only once they exist.
    m.blue().connect().query_or_throw(R"sql(
CREATE TABLE bookings (id int PRIMARY KEY, room int NOT NULL, during tsrange NOT NULL,
                       EXCLUDE USING gist (during WITH &&));
INSERT INTO bookings
SELECT g, g % 10, tsrange(timestamp '2024-01-01' + g * interval '1 hour',
                          timestamp '2024-01-01' + (g + 1) * interval '1 hour')
  FROM generate_series(1, 500) g;
CREATE INDEX wide_prefix_idx ON wide (left(payload, 4));
CREATE STATISTICS orders_dep (dependencies) ON account_id, status FROM orders;
)sql");
    m.setup({"--jobs", "2"});
    auto green = m.green().connect();
    const char* q =
        "SELECT (SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
        "        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public'),"
        "       (SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated),"
        "       (SELECT count(*) FROM pg_constraint WHERE NOT convalidated),"
        "       (SELECT count(*) FROM pg_constraint WHERE contype = 'x')";
    auto blue_counts = m.blue().connect().query_or_throw(q);
    auto green_counts = green.query_or_throw(q);
    EXPECT_EQ(green_counts.str(0, 0), blue_counts.str(0, 0)) << "indexes";
    EXPECT_EQ(green_counts.str(0, 1), blue_counts.str(0, 1)) << "validated foreign keys";
    EXPECT_EQ(green_counts.str(0, 2), "0");
    EXPECT_EQ(green_counts.str(0, 3), "1") << "exclusion constraint";
    auto analyzed = green.query_or_throw(
        "SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'wide' AND last_analyze IS NOT "
        "NULL");
    EXPECT_EQ(analyzed.num(0, 0), 1);
    auto stats = green.query_or_throw(
        "SELECT (SELECT count(*) FROM pg_statistic "
        "         WHERE starelid = 'public.wide_prefix_idx'::regclass),"
        "       (SELECT count(*) FROM pg_statistic_ext s "
        "          JOIN pg_statistic_ext_data d ON d.stxoid = s.oid "
        "         WHERE s.stxname = 'orders_dep' AND d.stxddependencies IS NOT NULL)");
    EXPECT_EQ(stats.num(0, 0), 1) << "the expression index existed when wide was analyzed";
    EXPECT_EQ(stats.num(0, 1), 1) << "orders analyzed after its extended statistics were made";
    EXPECT_FALSE(m.events("setup.index_batch").empty()) << "indexes built beside the copy";
    // A second run finds nothing to do.
    auto again = m.setup();
    EXPECT_TRUE(again["already_complete"].get<bool>());
}

constexpr const char* kTypesSchema = R"sql(
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE DOMAIN positive AS numeric CHECK (VALUE > 0);
CREATE TYPE pair AS (a int, b text);
-- Only types binary COPY carries safely: copied in binary.
CREATE TABLE typed_binary (
    id int PRIMARY KEY,
    n numeric, f float8, j jsonb, ints int[], texts text[], b bytea, m mood, d positive,
    ts timestamptz, iv interval, u uuid, big text, addr inet, r int4range, tv tsvector,
    g numeric GENERATED ALWAYS AS (n * 2) STORED
);
INSERT INTO typed_binary (id, n, f, j, ints, texts, b, m, d, ts, iv, u, big, addr, r, tv) VALUES
    (1, 12345678901234567890.123456789, 1.5e300, '{"a": [1, 2, {"b": null}], "c": "é"}',
     '{1,NULL,3}', '{"x y","",NULL}', '\x00ff10', 'happy', 0.5, '2024-02-29 23:59:59.999999+05',
     '1 year 2 mons 3 days 04:05:06.789', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11',
     repeat('long value ', 100000), '192.168.1.0/24', '[1,10)', 'fat:1 rat:2'),
    (2, 'NaN', 'NaN', 'null', '{}', '{}', '', 'sad', 1, 'infinity', '-00:00:00.000001',
     '00000000-0000-0000-0000-000000000000', '', '::1', 'empty', ''),
    (3, '-0.000001', '-0', '[]', NULL, NULL, NULL, NULL, NULL, '-infinity', NULL, NULL, NULL,
     NULL, NULL, NULL),
    (4, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL);
INSERT INTO typed_binary (id, n, b, big)
SELECT 10 + g, g, decode(repeat(md5(g::text), 2000), 'hex'),
       (SELECT string_agg(md5(g::text || i::text), '') FROM generate_series(1, 3000) i)
  FROM generate_series(1, 40) g;
-- Types whose binary form carries type OIDs (composites, arrays of enums): copied as text.
CREATE TABLE typed_text (
    id int PRIMARY KEY,
    p pair, moods mood[], m money, note text
);
INSERT INTO typed_text VALUES (1, ROW(1, 'x,y "z"'), '{sad,happy}', 12.34, E'tab\there\nnewline\\'),
                              (2, NULL, '{}', NULL, NULL);
CREATE TABLE parts (id int, region text, v jsonb, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
CREATE TABLE parts_eu PARTITION OF parts FOR VALUES IN ('eu');
CREATE TABLE parts_other PARTITION OF parts DEFAULT;
INSERT INTO parts SELECT g, (ARRAY['eu', 'us', 'apac'])[1 + g % 3], jsonb_build_object('g', g)
  FROM generate_series(1, 3000) g;
CREATE TABLE parent_inh (id int PRIMARY KEY, v text);
CREATE TABLE child_inh (extra int, PRIMARY KEY (id)) INHERITS (parent_inh);
INSERT INTO parent_inh VALUES (1, 'parent');
INSERT INTO child_inh VALUES (2, 'child', 7);
CREATE TABLE no_columns ();
INSERT INTO no_columns DEFAULT VALUES;
INSERT INTO no_columns DEFAULT VALUES;
CREATE MATERIALIZED VIEW mood_counts AS SELECT m, count(*) FROM typed_binary GROUP BY m;
)sql";

TEST_P(SetupTest, TypesSurvive) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kTypesSchema);
    m.setup({"--jobs", "2"});
    m.wait_caught_up();
    m.expect_same_data();
    bool binary = false;
    bool text = false;
    for (const auto& e : m.events("setup.copy_item")) {
        if (e["table"] == "typed_binary") binary = binary || e["binary"].get<bool>();
        if (e["table"] == "typed_text") text = text || !e["binary"].get<bool>();
    }
    EXPECT_TRUE(binary) << "typed_binary goes in binary";
    EXPECT_TRUE(text) << "typed_text falls back to text";
    auto green = m.green().connect();
    EXPECT_EQ(green.query_or_throw("SELECT count(*) FROM mood_counts").num(0, 0), 3)
        << "populated materialized views are refreshed (happy, sad, NULL)";
    EXPECT_EQ(green.query_or_throw("SELECT g::text FROM typed_binary WHERE id = 1").str(0, 0),
              "24691357802469135780.246913578");
    // Changes after setup arrive too, in every table.
    m.blue().connect().query_or_throw(
        "UPDATE typed_binary SET n = n + 1, big = big || 'x'; DELETE FROM typed_text WHERE id = 2;"
        "INSERT INTO parts VALUES (9999, 'eu', '{}'); UPDATE child_inh SET v = 'changed'");
    m.wait_caught_up();
    m.expect_same_data();
}

constexpr const char* kOddSchema = R"sql(
CREATE SCHEMA "Odd ""Schema"" ü";
CREATE TABLE "Odd ""Schema"" ü"."Sel ect" (
    "from" int PRIMARY KEY,
    "User" text,
    "ÜñÎ çødé" text,
    "x""y" int,
    "CamelCase" bigint GENERATED ALWAYS AS ("from" * 10) STORED
);
INSERT INTO "Odd ""Schema"" ü"."Sel ect" ("from", "User", "ÜñÎ çødé", "x""y")
SELECT g, 'u' || g, 'ü' || g, g FROM generate_series(1, 5000) g;
CREATE TABLE "UPPER" ("ID" int PRIMARY KEY, "table" text);
INSERT INTO "UPPER" VALUES (1, 'select'), (2, NULL);
CREATE TABLE "with space" (id serial PRIMARY KEY, ref int REFERENCES "UPPER" ("ID"));
INSERT INTO "with space" (ref) VALUES (1), (2), (NULL);
CREATE INDEX "idx ""quoted""" ON "Odd ""Schema"" ü"."Sel ect" ("User", "ÜñÎ çødé");
)sql";

TEST_P(SetupTest, OddIdentifiersCopyCorrectly) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kOddSchema);
    m.setup({"--jobs", "2", "--chunk-mb", "1"});
    m.blue().connect().query_or_throw(
        "UPDATE \"Odd \"\"Schema\"\" ü\".\"Sel ect\" SET \"User\" = 'changed' WHERE \"from\" < 10;"
        "INSERT INTO \"with space\" (ref) VALUES (2)");
    m.wait_caught_up();
    m.expect_same_data();
    auto idx = m.green().connect().query_or_throw(
        "SELECT count(*) FROM pg_class WHERE relname = 'idx \"quoted\"'");
    EXPECT_EQ(idx.num(0, 0), 1);
}

// A LATIN1 database with names and text outside ASCII: pgflip's own sessions speak UTF8 (its
// state and journal are JSON), the server converts names and data both ways.
TEST_P(SetupTest, Latin1DatabaseWithNonAsciiNamesCopiesCorrectly) {
    Migration m(blue_cluster(), green_cluster(), "ENCODING 'LATIN1' LOCALE 'C' TEMPLATE template0");
    // The test's own sessions say UTF8 whatever pgflip does (a SET of its own: a query string
    // is read in the encoding in force when it arrives).
    auto blue = m.blue().connect();
    blue.query_or_throw("SET client_encoding = 'UTF8'");
    blue.query_or_throw(
        "CREATE SCHEMA \"Größe\";"
        "CREATE TABLE \"Größe\".\"Maß\" (id int PRIMARY KEY, \"Straße\" text NOT NULL);"
        "CREATE INDEX \"Maß_Straße_idx\" ON \"Größe\".\"Maß\" (\"Straße\");"
        "INSERT INTO \"Größe\".\"Maß\" SELECT g, 'café naïve ' || g FROM generate_series(1, 5000) "
        "g");
    m.setup({"--jobs", "2"});
    blue.query_or_throw("INSERT INTO \"Größe\".\"Maß\" VALUES (5001, 'über façade')");
    m.wait_caught_up();
    m.expect_same_data();
    auto green = m.green().connect();
    green.query_or_throw("SET client_encoding = 'UTF8'");
    EXPECT_EQ(
        green.query_or_throw("SELECT \"Straße\" FROM \"Größe\".\"Maß\" WHERE id = 5001").str(0, 0),
        "über façade");
    EXPECT_EQ(green.query_or_throw("SELECT count(*) FROM pg_class WHERE relname = 'Maß_Straße_idx'")
                  .num(0, 0),
              1);
    auto status = m.status();
    EXPECT_TRUE(status.dump().find("Maß") != std::string::npos) << status.dump();
}

// The connection holding the exported snapshot idles in its transaction for the whole copy: a
// database default of idle_in_transaction_session_timeout must not end it (the copy workers'
// sessions, a retry's included, import the snapshot from it), and alive() must see it if it ends.
TEST_P(SetupTest, SnapshotHolderOutlivesTheDatabasesIdleTimeouts) {
    Migration m(blue_cluster(), green_cluster());
    auto admin = m.blue().connect();
    admin.query_or_throw("ALTER DATABASE " + admin.quote_ident(m.blue().name()) +
                         " SET idle_in_transaction_session_timeout = '300ms'");
    auto info = pg::Conninfo::parse(m.blue().conninfo(), Side::blue);
    ASSERT_TRUE(info.ok());
    const std::string slot = m.name() + "_probe";
    {
        auto holder =
            sync::create_slot_with_snapshot(*info, slot, pg::after(pg::milliseconds(60000)));
        ASSERT_TRUE(holder.ok()) << holder.error().str();
        std::this_thread::sleep_for(std::chrono::milliseconds(1200));
        EXPECT_TRUE(holder->alive());
        auto reader = m.blue().connect();
        reader.query_or_throw("SET idle_in_transaction_session_timeout = 0");
        reader.query_or_throw("BEGIN ISOLATION LEVEL REPEATABLE READ");
        reader.query_or_throw("SET TRANSACTION SNAPSHOT " +
                              reader.quote_literal(holder->snapshot()));
        reader.query_or_throw("COMMIT");
        // And the probe sees a holder that blue did end.
        auto ended = admin.query_or_throw(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND application_name = 'pgflip setup snapshot'");
        ASSERT_EQ(ended.num(0, 0), 1);
        bool gone = false;
        for (int i = 0; i < 50 && !gone; ++i) {
            gone = !holder->alive();
            if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        EXPECT_TRUE(gone);
    }
    admin.query_or_throw("SELECT pg_drop_replication_slot(" + admin.quote_literal(slot) + ")");
}

// The heartbeat's time goes from blue's session to green's: a DateStyle of blue's that green
// would misread (day first) must not keep status from seeing it applied.
TEST_P(SetupTest, StatusSeesTheHeartbeatWhateverBluesDateStyle) {
    Migration m(blue_cluster(), green_cluster());
    auto blue = m.blue().connect();
    blue.query_or_throw("CREATE TABLE t (id int PRIMARY KEY); INSERT INTO t VALUES (1)");
    blue.query_or_throw("ALTER DATABASE " + blue.quote_ident(m.blue().name()) +
                        " SET datestyle = 'SQL, DMY'");
    blue.query_or_throw("ALTER DATABASE " + blue.quote_ident(m.blue().name()) +
                        " SET timezone = 'Asia/Kolkata'");
    m.setup();
    m.wait_caught_up();
    auto status = m.status();
    EXPECT_TRUE(status["lag"]["heartbeat_applied"].get<bool>()) << status["lag"].dump();
}

TEST_P(SetupTest, StatusReportsDdlRunOnBlueAfterSetup) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kShopSchema);
    m.setup();
    m.blue().connect().query_or_throw(
        "ALTER TABLE orders ADD COLUMN note text; CREATE TABLE late (id int)");
    auto status = m.status();
    const auto& drift = status["schema_drift"];
    EXPECT_TRUE(drift["detected"].get<bool>());
    EXPECT_EQ(drift["tables_changed"], nlohmann::json::array({"public.orders"}));
    EXPECT_EQ(drift["tables_added"], nlohmann::json::array({"public.late"}));
    ASSERT_GE(drift["ddl_logged"].size(), 2U) << drift.dump();
    EXPECT_EQ(drift["ddl_logged"][0]["command_tag"], "ALTER TABLE");
    EXPECT_EQ(drift["ddl_logged"][1]["command_tag"], "CREATE TABLE");
    auto human = m.run({"status"});
    EXPECT_EQ(human.exit_code, 0);
    EXPECT_NE(human.out.find("DDL on blue since setup"), std::string::npos) << human.out;
}

TEST_P(SetupTest, ApplicationEventTriggersReachGreenAndPgflipsOwnDoNot) {
    Migration m(blue_cluster(), green_cluster());
    auto b = m.blue().connect();
    b.query_or_throw(kShopSchema);
    // The application's own event trigger, and pgflip's left on blue by an earlier attempt
    // whose green was thrown away: event triggers belong to no schema, so pg_dump keeps them.
    // It audits DDL into a table. On green it must not fire for what setup does there (foreign
    // keys, autovacuum back on, the subscription): those rows would collide with blue's.
    b.query_or_throw(
        "CREATE TABLE ddl_audit (id bigserial PRIMARY KEY, tag text NOT NULL);"
        "CREATE FUNCTION app_ddl() RETURNS event_trigger LANGUAGE plpgsql AS "
        "$$BEGIN INSERT INTO public.ddl_audit (tag) VALUES (tg_tag); END$$;"
        "CREATE EVENT TRIGGER app_ddl ON ddl_command_end EXECUTE FUNCTION app_ddl();"
        "CREATE SCHEMA pgflip;"
        "CREATE FUNCTION pgflip.log_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$BEGIN END$$;"
        "CREATE EVENT TRIGGER pgflip_ddl_end ON ddl_command_end EXECUTE FUNCTION pgflip.log_ddl()");
    m.setup();
    auto triggers = m.green().connect().query_or_throw(
        "SELECT string_agg(evtname, ',' ORDER BY evtname) FROM pg_event_trigger");
    EXPECT_EQ(triggers.str(0, 0), "app_ddl");
    m.wait_caught_up();
    m.expect_same_data();
    auto status = m.status();
    EXPECT_EQ(status["subscription"]["state"], "streaming") << status.dump();
}

//! Measured (docs/SETUP.md): with autovacuum on the copied tables, each index build or ANALYZE
//! that found a worker there waited deadlock_timeout for it to be cancelled. Setup switches it
//! off in the schema restore and back on before the subscription: storage options end as blue's.
TEST_P(SetupTest, AutovacuumIsBackOnAndStorageOptionsAreBluesAfterSetup) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kShopSchema);
    m.blue().connect().query_or_throw(R"sql(
CREATE TABLE "quiet table" (id int PRIMARY KEY, note text)
    WITH (autovacuum_enabled = false, toast.autovacuum_enabled = false);
CREATE TABLE tuned (id int PRIMARY KEY, note text)
    WITH (fillfactor = 80, toast.autovacuum_enabled = true);
INSERT INTO "quiet table" SELECT g, md5(g::text) FROM generate_series(1, 500) g;
INSERT INTO tuned SELECT g, md5(g::text) FROM generate_series(1, 500) g;
)sql");
    const char* options =
        "SELECT format('%I.%I', n.nspname, c.relname), c.reloptions::text, t.reloptions::text "
        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "LEFT JOIN pg_class t ON t.oid = c.reltoastrelid "
        "WHERE c.relkind = 'r' AND n.nspname = 'public' ORDER BY 1";
    // Every table but "quiet table" (its own settings on both) had autovacuum switched off by
    // setup: on the table, its TOAST table, or both (tuned's TOAST table keeps its setting).
    auto expected_paused = m.blue().connect().query_or_throw(
        "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND n.nspname = 'public' AND c.relname <> 'quiet table'");
    auto report = m.setup({"--jobs", "2"});
    EXPECT_EQ(report["autovacuum_resumed"].get<int>(), expected_paused.num(0, 0));

    auto blue_options = m.blue().connect().query_or_throw(options);
    auto green = m.green().connect();
    auto green_options = green.query_or_throw(options);
    ASSERT_EQ(green_options.size(), blue_options.size());
    for (int r = 0; r < blue_options.size(); ++r) {
        SCOPED_TRACE(blue_options.str(r, 0));
        EXPECT_EQ(green_options.str(r, 0), blue_options.str(r, 0));
        EXPECT_EQ(green_options.is_null(r, 1), blue_options.is_null(r, 1));
        EXPECT_EQ(green_options.str(r, 1), blue_options.str(r, 1));
        EXPECT_EQ(green_options.str(r, 2), blue_options.str(r, 2));
    }
    EXPECT_EQ(green.query_or_throw("SELECT to_regclass('pgflip.autovacuum_paused') IS NULL")
                  .boolean(0, 0),
              true);
}

//! No table to pause: the (empty) list must not outlive setup either. Green's reverse publication
//! is FOR ALL TABLES, and blue has no such table for the way back to subscribe to.
TEST_P(SetupTest, AutovacuumListIsGoneEvenWhenNoTableWasPaused) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(
        "CREATE TABLE own_settings (id int PRIMARY KEY, note text) "
        "WITH (autovacuum_enabled = true, toast.autovacuum_enabled = true);"
        "INSERT INTO own_settings SELECT g, md5(g::text) FROM generate_series(1, 100) g");
    auto report = m.setup();
    EXPECT_EQ(report["autovacuum_resumed"].get<int>(), 0);
    auto green = m.green().connect();
    EXPECT_TRUE(green.query_or_throw("SELECT to_regclass('pgflip.autovacuum_paused') IS NULL")
                    .boolean(0, 0));
    auto tables = green.query_or_throw(
        "SELECT string_agg(format('%I.%I', schemaname, tablename), ',' ORDER BY tablename) "
        "FROM pg_tables WHERE schemaname = 'pgflip'");
    EXPECT_EQ(tables.str(0, 0), "pgflip.ddl_log,pgflip.heartbeat,pgflip.sentinel")
        << "only what blue has too";
}

TEST_P(SetupTest, RefusesAGreenDatabaseThatIsNotEmpty) {
    Migration m(blue_cluster(), green_cluster());
    m.blue().connect().query_or_throw(kShopSchema);
    m.green().connect().query_or_throw("CREATE TABLE already_here (id int)");
    auto r = m.run({"setup"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("already has 1 tables"), std::string::npos) << r.err;
}

//! setup's state as a resumed copy leaves it (the slot of generation `generation`), with the slot
//! itself made on blue and 3 MB written after it, so its consumer is behind.
void resumed_copy_state(const Migration& m, const std::string& slot, int generation) {
    auto blue = m.blue().connect();
    blue.query_or_throw("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", {slot});
    blue.query_or_throw(
        "CREATE TABLE filler (id int PRIMARY KEY, v text);"
        "INSERT INTO filler SELECT g, repeat('x', 1000) FROM generate_series(1, 3000) g");
    sync::SetupState s;
    s.name = m.name();
    s.done_steps = {"globals", "blue_objects", "pre_data"};
    s.slot = sync::SlotState{slot, "0/0", generation};
    std::ofstream(m.state_dir() / "setup.json") << sync::to_json(s).dump();
}

//! A resumed setup copies under <name>_slot_g2 until its subscription step: status reads that
//! slot's WAL, and says plainly when the slot setup recorded is gone, never "caught up".
TEST_P(SetupTest, StatusReadsTheSlotSetupRecordsAndSaysWhenItIsGone) {
    Migration m(blue_cluster(), green_cluster());
    const std::string slot = m.name() + "_slot_g2";
    resumed_copy_state(m, slot, 2);
    auto status = m.status();
    EXPECT_EQ(status["slot"]["name"], slot);
    EXPECT_EQ(status["slot"]["state"], "ok") << status["slot"].dump();
    EXPECT_GT(status["slot"]["retained_bytes"].get<long long>(), 1024 * 1024);
    EXPECT_FALSE(status["lag"]["caught_up"].get<bool>()) << status["lag"].dump();

    m.blue().connect().query_or_throw("SELECT pg_drop_replication_slot($1)", {slot});
    auto r = m.run({"--json", "status"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto gone = nlohmann::json::parse(r.out);
    EXPECT_FALSE(gone["ok"].get<bool>());
    EXPECT_EQ(gone["slot"]["state"], "missing");
    EXPECT_FALSE(gone["lag"]["caught_up"].get<bool>()) << gone["lag"].dump();
    EXPECT_TRUE(gone["lag"]["bytes"].is_null()) << gone["lag"].dump();
    auto human = m.run({"status"});
    EXPECT_NE(human.out.find(slot + " MISSING on blue"), std::string::npos) << human.out;
    EXPECT_EQ(human.out.find("(caught up)"), std::string::npos) << human.out;
}

//! A slot blue invalidated (past max_slot_wal_keep_size) keeps no WAL and can never stream
//! again: status says it is lost, never "retains 0 B" or caught up. Blue is this test's own
//! server, since the limit holds for the whole server.
TEST_P(SetupTest, StatusSaysWhenBlueInvalidatedTheSlot) {
    lab::ClusterOptions options;
    options.major = GetParam().first;
    options.settings = {{"max_slot_wal_keep_size", "1MB"}};
    auto blue_server = must(lab::Cluster::start(options));
    Migration m(blue_server, green_cluster());
    const std::string slot = m.name() + "_slot";
    resumed_copy_state(m, slot, 1);
    auto blue = m.blue().connect();
    for (int i = 1; i <= 3; ++i) {
        blue.query_or_throw("UPDATE filler SET v = v || $1 WHERE id <= 500", {std::to_string(i)});
        blue.query_or_throw("SELECT pg_switch_wal()");
    }
    blue.query_or_throw("CHECKPOINT");
    auto wal = blue.query_or_throw(
        "SELECT wal_status, restart_lsn IS NULL FROM pg_replication_slots WHERE slot_name = $1",
        {slot});
    ASSERT_EQ(wal.str(0, 0), "lost") << "blue did not invalidate the slot";

    auto r = m.run({"--json", "status"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_EQ(doc["slot"]["state"], "lost") << doc["slot"].dump();
    EXPECT_TRUE(doc["slot"]["retained_bytes"].is_null()) << doc["slot"].dump();
    EXPECT_FALSE(doc["slot"].value("fix", "").empty());
    EXPECT_FALSE(doc["lag"]["caught_up"].get<bool>()) << doc["lag"].dump();
    auto human = m.run({"status"});
    EXPECT_NE(human.out.find(slot + " LOST (invalidated), inactive, retains unknown"),
              std::string::npos)
        << human.out;
    EXPECT_EQ(human.out.find("(caught up)"), std::string::npos) << human.out;
}

//! A port on 127.0.0.1 that nothing listens on (bound, then closed).
std::string closed_port_conninfo() {
    int port = lab::free_port();
    return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=postgres connect_timeout=3";
}

//! Green down: the WAL piling up on blue's slot is what matters most, and status still shows
//! it; green is named as unreachable and status fails.
TEST_P(SetupTest, StatusShowsBluesSlotWhenGreenIsUnreachable) {
    Migration m(blue_cluster(), green_cluster());
    const std::string slot = m.name() + "_slot";
    resumed_copy_state(m, slot, 1);
    const std::string green = closed_port_conninfo();
    auto r = m.run_with_green(green, {"--json", "status"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    auto doc = nlohmann::json::parse(r.out);
    EXPECT_FALSE(doc["ok"].get<bool>());
    EXPECT_FALSE(doc["green"]["reachable"].get<bool>()) << doc.dump();
    EXPECT_NE(doc["green"].value("error", "").find("green"), std::string::npos) << doc.dump();
    EXPECT_TRUE(doc["blue"]["reachable"].get<bool>());
    EXPECT_FALSE(doc["blue"].value("version", "").empty());
    EXPECT_EQ(doc["slot"]["state"], "ok") << doc["slot"].dump();
    EXPECT_GT(doc["slot"]["retained_bytes"].get<long long>(), 1024 * 1024);
    EXPECT_FALSE(doc["lag"]["caught_up"].get<bool>());
    auto human = m.run_with_green(green, {"status"});
    EXPECT_EQ(human.exit_code, 1);
    EXPECT_NE(human.out.find("green:        UNREACHABLE"), std::string::npos) << human.out;
    EXPECT_NE(human.out.find("slot:         " + slot + ", inactive, retains"), std::string::npos)
        << human.out;
}

//! Roles are per cluster: dropped on both sides whatever the test's outcome.
class RoleCleanup {
  public:
    RoleCleanup(const Migration& m, std::vector<std::string> roles)
        : m_(m), roles_(std::move(roles)) {}
    RoleCleanup(const RoleCleanup&) = delete;
    RoleCleanup& operator=(const RoleCleanup&) = delete;
    ~RoleCleanup() {
        for (const TestDatabase* db : {&m_.blue(), &m_.green()}) {
            auto conn = db->connect();
            for (const auto& role : roles_) {
                ignore_failure(conn.query("DROP ROLE IF EXISTS " + conn.quote_ident(role)));
            }
        }
    }

  private:
    const Migration& m_;
    std::vector<std::string> roles_;
};

//! The roles step dies after CREATE ROLE app and before its password, LOGIN and settings (here:
//! a later CREATE ROLE fails). Nothing of it may stay on green, or the next run would keep app
//! half-made for good; the next run gives app everything blue has.
TEST_P(SetupTest, AnInterruptedRolesStepLeavesNoHalfMadeRole) {
    Migration m(blue_cluster(), green_cluster());
    const std::string app = m.name() + "_app";
    const std::string late = m.name() + "_zlate";  // after app in pg_dumpall's order
    RoleCleanup cleanup(m, {app, late});
    auto blue = m.blue().connect();
    blue.query_or_throw("CREATE TABLE t (id int PRIMARY KEY)");
    blue.query_or_throw("CREATE ROLE " + blue.quote_ident(app) +
                        " LOGIN PASSWORD 'secret-app-pw'; ALTER ROLE " + blue.quote_ident(app) +
                        " SET work_mem = '7MB'; CREATE ROLE " + blue.quote_ident(late));
    std::string hash =
        blue.query_or_throw("SELECT rolpassword FROM pg_authid WHERE rolname = $1", {app})
            .str(0, 0);
    // Another session creates `late` on green and commits only once setup's CREATE ROLE waits
    // for it: setup's CREATE ROLE then fails, after app's statements ran.
    auto holder = m.green().connect();
    holder.query_or_throw("BEGIN; CREATE ROLE " + holder.quote_ident(late));
    pid_t pid = m.start_setup({}, m.state_dir() / "first.log");
    auto watcher = m.green().connect();
    bool waiting = false;
    for (int i = 0; i < 600 && !waiting; ++i) {
        waiting = watcher
                      .query_or_throw(
                          "SELECT count(*) > 0 FROM pg_stat_activity WHERE wait_event_type = "
                          "'Lock' AND query ILIKE 'CREATE ROLE%' AND pid <> pg_backend_pid()")
                      .boolean(0, 0);
        if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    holder.query_or_throw("COMMIT");
    int wait_status = 0;
    ::waitpid(pid, &wait_status, 0);
    ASSERT_TRUE(waiting) << "setup never waited on CREATE ROLE";
    EXPECT_EQ(WEXITSTATUS(wait_status), 1);
    auto green = m.green().connect();
    const char* role_q = "SELECT count(*) FROM pg_roles WHERE rolname = $1";
    EXPECT_EQ(green.query_or_throw(role_q, {app}).num(0, 0), 0) << "no half-made role";

    auto report = m.setup();
    auto made = green.query_or_throw(
        "SELECT a.rolcanlogin, a.rolpassword = $2, "
        "       (SELECT string_agg(c, ',') FROM pg_db_role_setting s, unnest(s.setconfig) c "
        "         WHERE s.setrole = a.oid AND s.setdatabase = 0) "
        "  FROM pg_authid a WHERE a.rolname = $1",
        {app, hash});
    ASSERT_EQ(made.size(), 1);
    EXPECT_TRUE(made.boolean(0, 0)) << "LOGIN";
    EXPECT_TRUE(made.boolean(0, 1)) << "blue's password";
    EXPECT_EQ(made.str(0, 2), "work_mem=7MB");
    std::ifstream log(m.state_dir() / "first.log");
    std::string first((std::istreambuf_iterator<char>(log)), std::istreambuf_iterator<char>());
    std::ifstream journal(m.state_dir() / "journal.jsonl");
    std::string events((std::istreambuf_iterator<char>(journal)), std::istreambuf_iterator<char>());
    for (const std::string& text : {first, events, report.dump()}) {
        EXPECT_EQ(text.find(hash), std::string::npos) << "the password hash leaked";
    }
}

INSTANTIATE_TEST_SUITE_P(Pairs, SetupTest, ::testing::ValuesIn(upgrade_pairs()), pair_name);

}  // namespace
}  // namespace pgflip::test
