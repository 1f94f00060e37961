// pgflip check against real servers: blue PostgreSQL 14 and green 17 shared by the suite, a
// database per test, the real pgflip binary run with --json. Every acceptance item of the
// preflight is provoked and asserted on; fixes are executed and must make their finding go
// away; bad input must fail in one line naming the side; passwords must never show.
#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "lab_fixture.hpp"

extern char** environ;

namespace pgflip::test {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kBlue = 14;
constexpr int kGreen = 17;

// ---- running the binary -----------------------------------------------------------------------

struct Outcome {
    int exit_code = -1;
    std::string out;
    std::string err;
    long long ms = 0;
    [[nodiscard]] json doc() const { return json::parse(out, nullptr, false); }
};

//! Runs pgflip with `args` (and extra environment), in `cwd`, capturing stdout and stderr.
Outcome run_pgflip(const std::vector<std::string>& args, const fs::path& cwd,
                   const std::vector<std::string>& env_extra = {}) {
    std::vector<std::string> argv = {PGFLIP_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    std::vector<std::string> env = env_extra;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string kv = *e;
        if (kv.rfind("PGFLIP_", 0) != 0 && kv.rfind("PGPASSWORD=", 0) != 0) env.push_back(kv);
    }
    std::vector<char*> av, ev;
    for (auto& a : argv) av.push_back(a.data());
    for (auto& e : env) ev.push_back(e.data());
    av.push_back(nullptr);
    ev.push_back(nullptr);
    fs::path out = cwd / "stdout.txt", err = cwd / "stderr.txt";
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addchdir_np(&fa, cwd.c_str());
    auto started = std::chrono::steady_clock::now();
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, av[0], &fa, nullptr, av.data(), ev.data());
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    Outcome r;
    r.ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                 started)
               .count();
    r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    r.out = slurp(out);
    r.err = slurp(err);
    fs::remove(out);
    fs::remove(err);
    return r;
}

// ---- findings ---------------------------------------------------------------------------------

std::vector<json> findings_of(const Outcome& run, const std::string& rule) {
    std::vector<json> out;
    json doc = run.doc();
    if (!doc.is_object() || !doc.contains("findings")) return out;
    for (const auto& f : doc["findings"]) {
        if (f["rule"] == rule) out.push_back(f);
    }
    return out;
}

//! The finding of `rule` whose object contains `object`, or null json.
json finding_for(const Outcome& run, const std::string& rule, const std::string& object) {
    for (const auto& f : findings_of(run, rule)) {
        if (f["object"].get<std::string>().find(object) != std::string::npos) return f;
    }
    return nullptr;
}

std::string dump(const Outcome& run) {
    return "exit " + std::to_string(run.exit_code) + "\nstdout:\n" + run.out + "\nstderr:\n" +
           run.err;
}

//! Lines of a fix that are SQL (comments dropped), joined: what an operator would paste.
std::string fix_sql(const json& f) {
    std::istringstream in(f["fix"].get<std::string>());
    std::string out;
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("--", 0) == 0) continue;
        auto comment = line.find("  -- ");
        out += (comment == std::string::npos ? line : line.substr(0, comment)) + "\n";
    }
    return out;
}

// ---- the suite --------------------------------------------------------------------------------

class CheckTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        if (!is_installed(kBlue) || !is_installed(kGreen)) GTEST_SKIP() << "need PG 14 and 17";
        blue_cluster = &shared_cluster(kBlue);
        green_cluster = &shared_cluster(kGreen);
    }

    void SetUp() override {
        if (blue_cluster == nullptr) GTEST_SKIP();
        blue_db = std::make_unique<TestDatabase>(*blue_cluster);
        green_db = std::make_unique<TestDatabase>(*green_cluster, blue_db->name());
    }

    //! A superuser connection to this test's blue database, named so that check ignores it
    //! as one of pgflip's own (it stands for the operator's migration tooling).
    pg::Connection blue() const { return connect_or_throw(tool(blue_db->conninfo())); }
    pg::Connection green() const { return connect_or_throw(tool(green_db->conninfo())); }
    static std::string tool(const std::string& conninfo) {
        return conninfo + " application_name=pgflip-test";
    }

    Outcome check(std::vector<std::string> extra = {}) const {
        std::vector<std::string> args = {
            "--json", "check", "--blue", blue_db->conninfo(), "--green", green_db->conninfo()};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_pgflip(args, dir.path());
    }

    //! Writes pgflip.toml with the test's servers and the given [[pooler]] tables; runs check.
    Outcome check_with_config(const std::string& poolers, bool json_output = true) const {
        std::ofstream(dir.path() / "pgflip.toml")
            << "[blue]\nconninfo = \"" << blue_db->conninfo() << "\"\n[green]\nconninfo = \""
            << green_db->conninfo() << "\"\n"
            << poolers;
        if (json_output) return run_pgflip({"--json", "check"}, dir.path());
        return run_pgflip({"check"}, dir.path());
    }

    static std::string pooler_toml(const lab::Bouncer& b, const std::string& database) {
        return "[[pooler]]\nname = \"main\"\nadmin = \"" + b.admin_conninfo() + "\"\nini = \"" +
               b.ini().string() + "\"\ndatabase = \"" + database + "\"\n";
    }

    static lab::Cluster* blue_cluster;
    static lab::Cluster* green_cluster;
    std::unique_ptr<TestDatabase> blue_db;
    std::unique_ptr<TestDatabase> green_db;
    TempDir dir{"check"};  //!< config files, outputs, state
};

lab::Cluster* CheckTest::blue_cluster = nullptr;
lab::Cluster* CheckTest::green_cluster = nullptr;

//! Rules whose warnings a clean lab legitimately gets (the lab leaves WAL retention unlimited).
const std::set<std::string> kCleanLabWarnings = {"slot-retention"};

TEST_F(CheckTest, CleanSchemaHasNoBlockerAndExitsZero) {
    auto b = blue();
    b.query_or_throw(
        "CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text);"
        "CREATE TABLE orders (id serial PRIMARY KEY, account bigint REFERENCES accounts);"
        "INSERT INTO accounts (name) VALUES ('a'), ('b');");
    Outcome run = check();
    ASSERT_EQ(run.exit_code, 0) << dump(run);
    json doc = run.doc();
    EXPECT_TRUE(doc["ok"].get<bool>());
    for (const auto& f : doc["findings"]) {
        EXPECT_NE(f["severity"], "blocker") << f.dump(2);
        if (f["severity"] == "warning") {
            EXPECT_TRUE(kCleanLabWarnings.count(f["rule"]) != 0) << f.dump(2);
        }
    }
    EXPECT_EQ(doc["blue"]["version"].get<std::string>().substr(0, 2), "14");
    EXPECT_TRUE(finding_for(run, "sequences", "2 sequences").is_object()) << dump(run);
    std::printf("[ timing   ] check on a clean schema: %lld ms wall, %lld ms reported\n", run.ms,
                doc["elapsed_ms"].get<long long>());
}

TEST_F(CheckTest, TableWithoutAnyKeyIsABlockerUntilItHasAnIdentity) {
    blue().query_or_throw("CREATE TABLE events (at timestamptz, payload text)");
    Outcome run = check();
    EXPECT_EQ(run.exit_code, 1) << dump(run);
    json f = finding_for(run, "replica-identity", "table public.events");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["side"], "blue");
    std::string fix = f["fix"];
    EXPECT_NE(fix.find("ADD PRIMARY KEY"), std::string::npos) << fix;
    // The last resort is spelled out, commented, with its cost; run it as an operator would.
    auto at = fix.find("-- ALTER TABLE public.events REPLICA IDENTITY FULL;");
    ASSERT_NE(at, std::string::npos) << fix;
    EXPECT_NE(fix.find("whole old row"), std::string::npos) << fix;
    blue().query_or_throw(fix.substr(at + 3));
    Outcome again = check();
    json after = finding_for(again, "replica-identity", "table public.events");
    ASSERT_TRUE(after.is_object()) << dump(again);
    EXPECT_EQ(after["severity"], "info");  // FULL works, at a cost worth knowing
    EXPECT_EQ(again.exit_code, 0) << dump(again);
}

TEST_F(CheckTest, UniqueNotNullIndexBecomesTheReplicaIdentity) {
    blue().query_or_throw(
        "CREATE TABLE items (sku text NOT NULL, note text);"
        "CREATE UNIQUE INDEX items_sku ON items (sku);");
    Outcome run = check();
    json f = finding_for(run, "replica-identity", "table public.items");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["fix"], "ALTER TABLE public.items REPLICA IDENTITY USING INDEX items_sku;");
    blue().query_or_throw(fix_sql(f));
    Outcome again = check();
    EXPECT_TRUE(finding_for(again, "replica-identity", "items").is_null()) << dump(again);
    EXPECT_EQ(again.exit_code, 0) << dump(again);
}

TEST_F(CheckTest, NullableUniqueIndexIsMadeNotNullFirst) {
    blue().query_or_throw(
        "CREATE TABLE codes (code int, label text);"
        "CREATE UNIQUE INDEX codes_code ON codes (code);"
        "INSERT INTO codes VALUES (1, 'one');");
    Outcome run = check();
    json f = finding_for(run, "replica-identity", "table public.codes");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_NE(f["fix"].get<std::string>().find("ALTER COLUMN code SET NOT NULL"),
              std::string::npos);
    blue().query_or_throw(fix_sql(f));
    EXPECT_TRUE(finding_for(check(), "replica-identity", "codes").is_null());
}

TEST_F(CheckTest, OddIdentifiersAreQuotedAndTheirFixesRun) {
    const std::string table = R"("My Schema"."Order ""Items"" ü select")";
    blue().query_or_throw(
        R"(CREATE SCHEMA "My Schema";
           CREATE TABLE "My Schema"."Order ""Items"" ü select" ("Key" int NOT NULL, "from" text);
           CREATE UNIQUE INDEX "Idx ""Ü"" select" ON "My Schema"."Order ""Items"" ü select" ("Key");
           CREATE UNLOGGED TABLE "My Schema"."Cache Ü" (id int PRIMARY KEY);
           CREATE SEQUENCE "My Schema"."Seq ""Ü""";
           CREATE TABLE "My Schema"."Uses Seq" (id int PRIMARY KEY,
               "Val" bigint DEFAULT nextval('"My Schema"."Seq ""Ü"""'));)");
    Outcome run = check();
    ASSERT_EQ(run.exit_code, 1) << dump(run);

    json key = finding_for(run, "replica-identity", "table " + table);
    ASSERT_TRUE(key.is_object()) << dump(run);
    EXPECT_EQ(key["fix"],
              "ALTER TABLE " + table + R"( REPLICA IDENTITY USING INDEX "Idx ""Ü"" select";)");
    json unlogged = finding_for(run, "unlogged-tables", R"("My Schema"."Cache Ü")");
    ASSERT_TRUE(unlogged.is_object()) << dump(run);
    json seq = finding_for(run, "sequences", R"(sequence "My Schema"."Seq ""Ü""")");
    ASSERT_TRUE(seq.is_object()) << dump(run);
    EXPECT_NE(seq["fix"].get<std::string>().find(R"(OWNED BY "My Schema"."Uses Seq"."Val")"),
              std::string::npos)
        << seq.dump(2);

    for (const json* f : {&key, &unlogged, &seq}) blue().query_or_throw(fix_sql(*f));
    Outcome again = check();
    EXPECT_EQ(again.exit_code, 0) << dump(again);
    EXPECT_TRUE(finding_for(again, "replica-identity", "My Schema").is_null()) << dump(again);
    EXPECT_TRUE(finding_for(again, "unlogged-tables", "My Schema").is_null()) << dump(again);
    EXPECT_TRUE(finding_for(again, "sequences", "Seq").is_null()) << dump(again);
}

TEST_F(CheckTest, WhatLogicalReplicationDoesNotCarryIsReported) {
    blue().query_or_throw(
        "CREATE TABLE docs (id int PRIMARY KEY, body oid);"
        "INSERT INTO docs VALUES (1, lo_from_bytea(0, 'hello'));"
        "CREATE UNLOGGED TABLE scratch (id int PRIMARY KEY);"
        "CREATE MATERIALIZED VIEW doc_count AS SELECT count(*) FROM docs;"
        "CREATE SEQUENCE invoice_numbers;"
        "CREATE TABLE measures (id int PRIMARY KEY, v int, twice int GENERATED ALWAYS AS "
        "(v * 2) STORED);"
        "CREATE TABLE readings (at date NOT NULL, v int, PRIMARY KEY (at)) PARTITION BY RANGE "
        "(at);"
        "CREATE TABLE readings_2024 PARTITION OF readings FOR VALUES FROM ('2024-01-01') TO "
        "('2025-01-01');");
    Outcome run = check();
    ASSERT_EQ(run.exit_code, 0) << dump(run);  // none of these blocks the migration

    json lo = finding_for(run, "large-objects", "1 large object");
    ASSERT_TRUE(lo.is_object()) << dump(run);
    EXPECT_EQ(lo["severity"], "warning");
    json unlogged = finding_for(run, "unlogged-tables", "public.scratch");
    ASSERT_TRUE(unlogged.is_object()) << dump(run);
    EXPECT_EQ(unlogged["severity"], "warning");
    EXPECT_EQ(unlogged["fix"], "ALTER TABLE public.scratch SET LOGGED;");
    json mv = finding_for(run, "materialized-views", "public.doc_count");
    ASSERT_TRUE(mv.is_object()) << dump(run);
    EXPECT_EQ(mv["side"], "green");
    EXPECT_NE(mv["fix"].get<std::string>().find("REFRESH MATERIALIZED VIEW public.doc_count;"),
              std::string::npos);
    json seq = finding_for(run, "sequences", "sequence public.invoice_numbers");
    ASSERT_TRUE(seq.is_object()) << dump(run);
    EXPECT_NE(seq["explanation"].get<std::string>().find("still copies its value"),
              std::string::npos);
    json generated = finding_for(run, "generated-columns", "public.measures");
    ASSERT_TRUE(generated.is_object()) << dump(run);
    EXPECT_EQ(generated["severity"], "info");  // green 17: no virtual-by-default yet
    json part = finding_for(run, "partitioned-tables", "public.readings");
    ASSERT_TRUE(part.is_object()) << dump(run);
    EXPECT_NE(part["explanation"].get<std::string>().find("publish_via_partition_root"),
              std::string::npos);
    // The partition has its own primary key (from the parent's): no replica-identity noise.
    EXPECT_TRUE(findings_of(run, "replica-identity").empty()) << dump(run);
}

TEST_F(CheckTest, ExtensionMissingOnGreenIsABlocker) {
    blue().query_or_throw("CREATE EXTENSION adminpack");  // in 14, gone from 17
    Outcome run = check();
    EXPECT_EQ(run.exit_code, 1) << dump(run);
    json f = finding_for(run, "extensions", "extension adminpack");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["side"], "green");
    blue().query_or_throw(fix_sql(f));  // DROP EXTENSION adminpack; on blue
    Outcome again = check();
    EXPECT_TRUE(finding_for(again, "extensions", "adminpack").is_null()) << dump(again);
    EXPECT_EQ(again.exit_code, 0) << dump(again);
}

TEST_F(CheckTest, DatabaseSettingsThatDifferAreFixedOnGreen) {
    auto b = blue();
    b.query_or_throw("ALTER DATABASE " + b.quote_ident(blue_db->name()) +
                     " SET TimeZone = 'Pacific/Auckland'");
    b.query_or_throw("ALTER DATABASE " + b.quote_ident(blue_db->name()) +
                     " SET DateStyle = 'German, DMY'");
    Outcome run = check();
    EXPECT_EQ(run.exit_code, 0) << dump(run);
    json tz = finding_for(run, "settings", "setting TimeZone in database");
    json ds = finding_for(run, "settings", "setting DateStyle in database");
    ASSERT_TRUE(tz.is_object()) << dump(run);
    ASSERT_TRUE(ds.is_object()) << dump(run);
    EXPECT_EQ(tz["severity"], "warning");
    EXPECT_NE(tz["fix"].get<std::string>().find("ALTER DATABASE"), std::string::npos);
    EXPECT_NE(tz["explanation"].get<std::string>().find("Pacific/Auckland"), std::string::npos);
    green().query_or_throw(fix_sql(tz));
    green().query_or_throw(fix_sql(ds));
    Outcome again = check();
    EXPECT_TRUE(findings_of(again, "settings").empty()) << dump(again);
}

TEST_F(CheckTest, ServerSettingsThatDifferAreReportedWithTheirSource) {
    lab::ClusterOptions options;
    options.major = kGreen;
    options.settings["TimeZone"] = "Asia/Tokyo";
    options.settings["extra_float_digits"] = "0";
    lab::Cluster tokyo = must(lab::Cluster::start(options));
    Outcome run =
        run_pgflip({"--json", "check", "--blue", blue_db->conninfo(), "--green", tokyo.conninfo()},
                   dir.path());
    json tz = finding_for(run, "settings", "setting TimeZone in database");
    ASSERT_TRUE(tz.is_object()) << dump(run);
    EXPECT_NE(tz["explanation"].get<std::string>().find("'Asia/Tokyo' (server setting)"),
              std::string::npos)
        << tz.dump(2);
    EXPECT_TRUE(finding_for(run, "settings", "setting extra_float_digits in database").is_object())
        << dump(run);
    EXPECT_TRUE(finding_for(run, "settings", "setting DateStyle").is_null()) << dump(run);
}

TEST_F(CheckTest, RoleSettingsThatDifferAreFixedOnGreen) {
    const std::string role = "Reporting \"Ü\" user";
    for (auto* side : {blue_cluster, green_cluster}) {
        auto admin = connect_or_throw(tool(side->conninfo()));
        ignore_failure(admin.query("CREATE ROLE " + admin.quote_ident(role)));
    }
    auto b = blue();
    b.query_or_throw(R"(CREATE SCHEMA "My Schema")");
    b.query_or_throw("ALTER ROLE " + b.quote_ident(role) + " IN DATABASE " +
                     b.quote_ident(blue_db->name()) + R"( SET search_path = "My Schema", public)");
    Outcome run = check();
    json f = finding_for(run, "settings", "setting search_path for role");
    ASSERT_TRUE(f.is_object()) << dump(run);
    green().query_or_throw(R"(CREATE SCHEMA "My Schema")");
    green().query_or_throw(fix_sql(f));
    EXPECT_TRUE(findings_of(check(), "settings").empty());
    for (auto* side : {blue_cluster, green_cluster}) {
        auto admin = connect_or_throw(tool(side->conninfo()));
        ignore_failure(admin.query("DROP OWNED BY " + admin.quote_ident(role)));
        ignore_failure(admin.query("DROP ROLE " + admin.quote_ident(role)));
    }
}

TEST_F(CheckTest, IdleInTransactionSessionIsReportedWithItsPid) {
    auto idle = connect_or_throw(blue_db->conninfo() + " application_name=forgetful");
    idle.query_or_throw("BEGIN; SELECT 1");
    const int pid = idle.backend_pid();
    std::this_thread::sleep_for(std::chrono::milliseconds(1200));  // past max_xact_age_ms
    Outcome run = check();
    json f = finding_for(run, "long-transactions", "pid " + std::to_string(pid) + " ");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "warning");
    EXPECT_NE(f["object"].get<std::string>().find("user postgres"), std::string::npos);
    EXPECT_NE(f["explanation"].get<std::string>().find("idle in transaction for"),
              std::string::npos);
    EXPECT_EQ(f["fix"], "SELECT pg_terminate_backend(" + std::to_string(pid) + ");");
    blue().query_or_throw(fix_sql(f));
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    EXPECT_TRUE(findings_of(check(), "long-transactions").empty());
}

//! A non-superuser login role on blue (and the pooler's auth file).
class AppRole {
  public:
    AppRole(lab::Cluster& cluster, const std::string& db, std::string name, std::string password)
        : cluster_(cluster), name_(std::move(name)), password_(std::move(password)) {
        auto admin = connect_or_throw(cluster_.conninfo(db) + " application_name=pgflip-test");
        ignore_failure(admin.query("DROP ROLE IF EXISTS " + admin.quote_ident(name_)));
        admin.query_or_throw("CREATE ROLE " + admin.quote_ident(name_) + " LOGIN PASSWORD " +
                             admin.quote_literal(password_));
        admin.query_or_throw("GRANT ALL ON DATABASE " + admin.quote_ident(db) + " TO " +
                             admin.quote_ident(name_));
    }
    ~AppRole() {
        auto info = pg::Conninfo::parse(cluster_.conninfo());
        if (!info.ok()) return;
        auto admin = pg::Connection::connect(*info, Side::local, pg::after(pg::milliseconds(5000)));
        if (!admin.ok()) return;
        ignore_failure(
            admin->query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = " +
                         admin->quote_literal(name_)));
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        ignore_failure(admin->query("DROP OWNED BY " + admin->quote_ident(name_)));
        ignore_failure(admin->query("DROP ROLE IF EXISTS " + admin->quote_ident(name_)));
    }
    AppRole(const AppRole&) = delete;
    AppRole& operator=(const AppRole&) = delete;

  private:
    lab::Cluster& cluster_;
    std::string name_;
    std::string password_;
};

TEST_F(CheckTest, DirectClientIsListedAndPooledOneIsNot) {
    AppRole app(*blue_cluster, blue_db->name(), "app", "app-secret-1");
    lab::BouncerOptions options;
    options.users = {{"app", "app-secret-1"}};
    lab::Bouncer bouncer = bouncer_in_front(*blue_cluster, {blue_db->name()}, options);

    auto pooled =
        connect_or_throw(bouncer.conninfo(blue_db->name(), "app") + " application_name=via-pooler");
    const std::string pooled_pid = pooled.query_or_throw("SELECT pg_backend_pid()").str(0, 0);
    auto direct = connect_or_throw(blue_db->conninfo("app") +
                                   " password=app-secret-1 application_name=straight-in");
    const std::string direct_pid = std::to_string(direct.backend_pid());

    Outcome run = check_with_config(pooler_toml(bouncer, blue_db->name()));
    ASSERT_EQ(run.exit_code, 0) << dump(run);
    json f =
        finding_for(run, "direct-clients", "role app from 127.0.0.1, application 'straight-in'");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "warning");
    EXPECT_NE(f["explanation"].get<std::string>().find("pid " + direct_pid), std::string::npos);
    for (const auto& d : findings_of(run, "direct-clients")) {
        EXPECT_EQ(d["explanation"].get<std::string>().find(pooled_pid + ")"), std::string::npos)
            << "pooled backend " << pooled_pid << " listed as direct: " << d.dump(2);
        EXPECT_EQ(d["fix"].get<std::string>().find(pooled_pid), std::string::npos) << d.dump(2);
    }
    // A transaction-mode PgBouncer with a low server_login_retry raises nothing about itself.
    for (const char* rule : {"pooler-mode", "pooler-switch", "pooler-target", "pooler-login-retry",
                             "pooler-query-wait"}) {
        EXPECT_TRUE(findings_of(run, rule).empty()) << rule << "\n" << dump(run);
    }
}

TEST_F(CheckTest, SessionModePoolerIsABlocker) {
    lab::BouncerOptions options;
    options.pool_mode = "session";
    options.server_login_retry = 15;
    lab::Bouncer bouncer = bouncer_in_front(*blue_cluster, {blue_db->name()}, options);
    Outcome run = check_with_config(pooler_toml(bouncer, blue_db->name()));
    EXPECT_EQ(run.exit_code, 1) << dump(run);
    json f = finding_for(run, "pooler-mode", "pool_mode = session");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["side"], "pooler");
    EXPECT_NE(f["explanation"].get<std::string>().find("PAUSE"), std::string::npos);
    EXPECT_NE(f["fix"].get<std::string>().find("pool_mode = transaction"), std::string::npos);
    json retry = finding_for(run, "pooler-login-retry", "server_login_retry = 15");
    ASSERT_TRUE(retry.is_object()) << dump(run);
    EXPECT_EQ(retry["severity"], "warning");
}

TEST_F(CheckTest, PoolerWithoutIniOrDatabaseIsABlocker) {
    lab::Bouncer bouncer = bouncer_in_front(*blue_cluster, {blue_db->name()});
    Outcome run = check_with_config("[[pooler]]\nname = \"main\"\nadmin = \"" +
                                    bouncer.admin_conninfo() + "\"\n");
    EXPECT_EQ(run.exit_code, 1) << dump(run);
    json ini = finding_for(run, "pooler-switch", "no ini configured");
    ASSERT_TRUE(ini.is_object()) << dump(run);
    EXPECT_EQ(ini["severity"], "blocker");
    // The fix names the file PgBouncer reads (SHOW CONFIG conffile).
    EXPECT_NE(ini["fix"].get<std::string>().find("ini = \"" + bouncer.ini().string() + "\""),
              std::string::npos)
        << ini.dump(2);
    EXPECT_TRUE(finding_for(run, "pooler-switch", "no database configured").is_object())
        << dump(run);
}

TEST_F(CheckTest, WalLevelReplicaIsABlockerNamingTheSide) {
    lab::ClusterOptions options;
    options.major = kBlue;
    options.settings["wal_level"] = "replica";
    lab::Cluster replica_level = must(lab::Cluster::start(options));
    Outcome run = run_pgflip(
        {"--json", "check", "--blue", replica_level.conninfo(), "--green", green_db->conninfo()},
        dir.path());
    EXPECT_EQ(run.exit_code, 1) << dump(run);
    json f = finding_for(run, "wal-level", "wal_level = replica");
    ASSERT_TRUE(f.is_object()) << dump(run);
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["side"], "blue");
    EXPECT_NE(f["fix"].get<std::string>().find("ALTER SYSTEM SET wal_level = logical"),
              std::string::npos);
}

// ---- bad input: one line naming the side and the fix, exit 1 or 2 -----------------------------

//! One line on stderr, nothing on stdout, mentioning every needle.
void expect_one_line_error(const Outcome& run, int exit_code,
                           const std::vector<std::string>& needles) {
    EXPECT_EQ(run.exit_code, exit_code) << dump(run);
    EXPECT_TRUE(run.out.empty()) << dump(run);
    ASSERT_FALSE(run.err.empty()) << dump(run);
    EXPECT_EQ(run.err.find('\n'), run.err.size() - 1) << dump(run);
    for (const auto& n : needles)
        EXPECT_NE(run.err.find(n), std::string::npos) << n << "\n" << dump(run);
}

TEST_F(CheckTest, UnreachableBlueFailsInOneLine) {
    int port = lab::free_port();
    Outcome run = run_pgflip({"check", "--blue",
                              "host=127.0.0.1 port=" + std::to_string(port) +
                                  " dbname=x user=postgres connect_timeout=5",
                              "--green", green_db->conninfo()},
                             dir.path());
    expect_one_line_error(run, 1, {"blue", "fix:", std::to_string(port)});
}

TEST_F(CheckTest, WrongPasswordFailsInOneLine) {
    AppRole app(*blue_cluster, blue_db->name(), "app", "correct-horse");
    Outcome run = run_pgflip({"check", "--blue", blue_db->conninfo("app") + " password=wrong-pony",
                              "--green", green_db->conninfo()},
                             dir.path());
    expect_one_line_error(run, 1, {"blue", "password", "fix:"});
    EXPECT_EQ(run.err.find("wrong-pony"), std::string::npos);
}

TEST_F(CheckTest, GreenOlderThanBlueIsRefused) {
    Outcome run = run_pgflip(
        {"check", "--blue", green_db->conninfo(), "--green", blue_db->conninfo()}, dir.path());
    expect_one_line_error(run, 1, {"green", "older", "fix:"});
}

TEST_F(CheckTest, SameServerTwiceIsRefused) {
    Outcome run = run_pgflip(
        {"check", "--blue", blue_db->conninfo(), "--green", blue_db->conninfo()}, dir.path());
    expect_one_line_error(run, 1, {"green", "same server", "fix:"});
}

TEST_F(CheckTest, MalformedTomlIsAUsageError) {
    std::ofstream(dir.path() / "pgflip.toml") << "[blue\nconninfo = \"x\"\n";
    Outcome run = run_pgflip({"check"}, dir.path());
    expect_one_line_error(run, 2, {"pgflip.toml", "line 1", "fix:"});
}

TEST_F(CheckTest, PoolerConsoleThatRefusesFailsInOneLine) {
    lab::BouncerOptions options;
    options.users = {{"app", "app-secret-2"}};
    lab::Bouncer bouncer = bouncer_in_front(*blue_cluster, {blue_db->name()}, options);
    std::string admin = bouncer.conninfo("pgbouncer", "app");  // not in admin_users
    std::string toml = "[[pooler]]\nname = \"edge\"\nadmin = \"" + admin + "\"\nini = \"" +
                       bouncer.ini().string() + "\"\n";
    Outcome run = check_with_config(toml, false);
    expect_one_line_error(run, 1, {"pooler", "edge", "admin_users"});
    Outcome as_json = check_with_config(toml);
    EXPECT_EQ(as_json.exit_code, 1) << dump(as_json);
    json doc = as_json.doc();
    ASSERT_TRUE(doc.contains("error")) << dump(as_json);
    EXPECT_EQ(doc["error"]["side"], "pooler");
    EXPECT_NE(doc["error"]["fix"].get<std::string>().find("admin_users"), std::string::npos);
}

// ---- secrets ----------------------------------------------------------------------------------

//! Every file under `root` whose contents hold `needle`.
std::vector<std::string> files_containing(const fs::path& root, const std::string& needle) {
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(root, ec)) {
        if (e.is_regular_file() && slurp(e.path()).find(needle) != std::string::npos) {
            out.push_back(e.path().string());
        }
    }
    return out;
}

TEST_F(CheckTest, PasswordsNeverAppearInOutputOrFiles) {
    const std::string secret = "Tr0ub4dor-and-3";
    const std::string wrong = "Wr0ng-Batt3ry-Staple";
    AppRole app(*blue_cluster, blue_db->name(), "app", secret);
    const std::string state = (dir.path() / "state").string();
    const std::string in_conninfo = blue_db->conninfo("app") + " password=" + secret;
    const std::string uri = "postgresql://app:" + secret +
                            "@127.0.0.1:" + std::to_string(blue_cluster->port()) + "/" +
                            blue_db->name();
    std::vector<Outcome> runs;
    for (bool json_output : {true, false}) {
        std::vector<std::string> head = {"--state-dir", state, "-v"};
        if (json_output) head.push_back("--json");
        auto with = [&](std::vector<std::string> tail) {
            std::vector<std::string> a = head;
            a.insert(a.end(), tail.begin(), tail.end());
            return a;
        };
        runs.push_back(run_pgflip(
            with({"check", "--blue", in_conninfo, "--green", green_db->conninfo()}), dir.path()));
        runs.push_back(run_pgflip(with({"check", "--blue", uri, "--green", green_db->conninfo()}),
                                  dir.path()));
        runs.push_back(run_pgflip(
            with({"check", "--blue", blue_db->conninfo("app"), "--green", green_db->conninfo()}),
            dir.path(), {"PGPASSWORD=" + secret}));
        runs.push_back(run_pgflip(
            with({"check", "--blue", blue_db->conninfo("app"), "--green", green_db->conninfo()}),
            dir.path(), {"PGPASSWORD=" + wrong}));
        runs.push_back(
            run_pgflip(with({"check", "--blue", blue_db->conninfo("app") + " password=" + wrong,
                             "--green", green_db->conninfo()}),
                       dir.path()));
    }
    ASSERT_EQ(runs[0].exit_code, 1) << dump(runs[0]);  // connected: app lacks privileges
    EXPECT_TRUE(runs[0].doc().contains("findings")) << dump(runs[0]);
    EXPECT_TRUE(runs[2].doc().contains("findings")) << dump(runs[2]);
    for (const Outcome& run : runs) {
        for (const auto& s : {secret, wrong}) {
            EXPECT_EQ(run.out.find(s), std::string::npos) << dump(run);
            EXPECT_EQ(run.err.find(s), std::string::npos) << dump(run);
        }
    }
    for (const auto& s : {secret, wrong}) {
        EXPECT_TRUE(files_containing(dir.path(), s).empty());
    }
}

}  // namespace
}  // namespace pgflip::test
