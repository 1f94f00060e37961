// The pooler drivers against real PostgreSQL clusters (blue and green) and real PgBouncer 1.18
// instances from the lab. The PgBouncer facts pgbouncer.hpp rests on are encoded here; tests
// that measure print "[measure]" lines.
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "common/process.hpp"
#include "lab_fixture.hpp"
#include "pooler/command.hpp"
#include "pooler/ini.hpp"
#include "pooler/pgbouncer.hpp"
#include "pooler/pooler.hpp"

namespace pgflip::test {
namespace {

namespace fs = std::filesystem;
using config::PauseScope;
using pooler::Target;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

//! "n=20 min 0.07 median 0.22 max 1.76 ms"
std::string summary(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    char buf[160];
    std::snprintf(buf, sizeof buf, "n=%zu min %.2f median %.2f max %.2f ms", v.size(), v.front(),
                  v[v.size() / 2], v.back());
    return buf;
}

// ---- no server: the ini text and the scope decision ------------------------------------------

const char* const sample_ini =
    "; production pooler\r\n"
    "[databases]\n"
    "# the app\n"
    "app = host=10.0.0.1 port=5432 dbname=app pool_size=40  \n"
    "'odd name' = host=10.0.0.1 dbname=odd\n"
    "reports = host=10.0.0.9 dbname=app application_name='weekly report'\n"
    "%include /etc/pgbouncer/extra.ini\n"
    "\n"
    "[pgbouncer]\n"
    "app = not a database\n"
    "listen_port = 6432\n";

TEST(PoolerIni, FindsTheEntryAndItsTarget) {
    auto entry = pooler::ini::find_database(sample_ini, "app", "pgbouncer.ini");
    ASSERT_TRUE(ok(entry));
    EXPECT_EQ(entry->value, "host=10.0.0.1 port=5432 dbname=app pool_size=40");
    EXPECT_EQ(entry->line, 4);
    EXPECT_EQ(pooler::ini::target_of(entry->value, "app"), (Target{"10.0.0.1", "5432", "app"}));
    auto odd = pooler::ini::find_database(sample_ini, "odd name", "pgbouncer.ini");
    ASSERT_TRUE(ok(odd));
    EXPECT_EQ(pooler::ini::target_of(odd->value, "odd name"), (Target{"10.0.0.1", "5432", "odd"}));
}

TEST(PoolerIni, LastEntryWinsAsInPgBouncer) {
    std::string text = "[databases]\napp = host=a\n[pgbouncer]\n[databases]\napp = host=b\n";
    auto entry = pooler::ini::find_database(text, "app", "x.ini");
    ASSERT_TRUE(ok(entry));
    EXPECT_EQ(entry->value, "host=b");
}

TEST(PoolerIni, MissingEntryMentionsIncludesAndFallback) {
    std::string text = std::string(sample_ini) + "[databases]\n* = host=10.0.0.2\n";
    auto entry = pooler::ini::find_database(text, "nosuch", "pgbouncer.ini");
    ASSERT_FALSE(entry.ok());
    EXPECT_NE(entry.error().message.find("%include"), std::string::npos) << entry.error().str();
    EXPECT_NE(entry.error().message.find("\"*\" fallback"), std::string::npos);
    EXPECT_NE(entry.error().fix.find("[databases]"), std::string::npos);
}

TEST(PoolerIni, RewriteChangesOnlyHostPortDbname) {
    Target green{"10.0.0.5", "6543", "app_v16"};
    EXPECT_EQ(pooler::ini::with_target("host=10.0.0.1 port=5432 dbname=app pool_size=40", green),
              "host=10.0.0.5 port=6543 dbname=app_v16 pool_size=40");
    EXPECT_EQ(pooler::ini::with_target("user=u  host='old host'  auth_user=x", green),
              "user=u  host=10.0.0.5  auth_user=x port=6543 dbname=app_v16");
    EXPECT_EQ(pooler::ini::with_target("", Target{"h", "1", "it's"}),
              "host=h port=1 dbname='it''s'");
    EXPECT_EQ(pooler::ini::target_of("dbname='it''s' host=h", "x"), (Target{"h", "5432", "it's"}));
}

TEST(PoolerIni, ReplaceValueKeepsEveryOtherByte) {
    std::string text = sample_ini;
    auto entry = pooler::ini::find_database(text, "app", "pgbouncer.ini");
    ASSERT_TRUE(ok(entry));
    std::string out = pooler::ini::replace_value(
        text, *entry, pooler::ini::with_target(entry->value, Target{"g", "6000", "app"}));
    std::string expected = text;
    expected.replace(expected.find("host=10.0.0.1 port=5432"), 23, "host=g port=6000");
    EXPECT_EQ(out, expected);
}

TEST(PoolerScope, GlobalUnlessOtherDatabasesWouldPayForIt) {
    pooler::BouncerFacts alone;  // only our database: a global PAUSE costs nothing
    EXPECT_EQ(*pooler::choose_pause_scope(PauseScope::automatic, alone, "app"), PauseScope::global);
    pooler::BouncerFacts shared;
    shared.serves_other_databases = true;
    EXPECT_EQ(*pooler::choose_pause_scope(PauseScope::automatic, shared, "app"),
              PauseScope::database);
    EXPECT_EQ(*pooler::choose_pause_scope(PauseScope::global, shared, "app"), PauseScope::global);
    EXPECT_EQ(*pooler::choose_pause_scope(PauseScope::database, alone, "app"),
              PauseScope::database);
    const std::string unnameable(62, '-');  // 64 bytes once quoted
    EXPECT_EQ(*pooler::choose_pause_scope(PauseScope::automatic, shared, unnameable),
              PauseScope::global);
    EXPECT_FALSE(pooler::choose_pause_scope(PauseScope::database, shared, unnameable).ok());
}

TEST(PoolerScope, ConsoleNamesAsPgBouncerTakesThem) {
    EXPECT_EQ(pooler::console_name("app_v2"), "app_v2");
    EXPECT_EQ(pooler::console_name("my-app.v2"), "\"my-app.v2\"");
    EXPECT_EQ(pooler::console_name("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(pooler::console_name(std::string(63, 'a')), std::string(63, 'a'));
    EXPECT_EQ(pooler::console_name(std::string(61, '-')), "\"" + std::string(61, '-') + "\"");
    EXPECT_FALSE(pooler::console_name(std::string(62, '-')).has_value());
}

// ---- real servers -----------------------------------------------------------------------------

//! Blue and green clusters shared by the suite; each test gets its databases and bouncers.
class PoolerTest : public ::testing::Test {
  protected:
    static void SetUpTestSuite() {
        const int major = is_installed(16) ? 16 : lab::installed_majors().front();
        lab::ClusterOptions options;
        options.major = major;
        blue_ = new lab::Cluster(must(lab::Cluster::start(options)));
        green_ = new lab::Cluster(must(lab::Cluster::start(options)));
    }
    static void TearDownTestSuite() {
        delete blue_;
        delete green_;
    }

    void SetUp() override {
        blue_db_ = std::make_unique<TestDatabase>(*blue_);
        green_db_ = std::make_unique<TestDatabase>(*green_, blue_db_->name());
        mark(*blue_db_, "blue");
        mark(*green_db_, "green");
    }

    static void mark(const TestDatabase& db, const std::string& side) {
        auto c = db.connect();
        c.query_or_throw("CREATE TABLE marker(side text); INSERT INTO marker VALUES ('" + side +
                         "'); CREATE TABLE t(id bigserial PRIMARY KEY, v int)");
    }

    [[nodiscard]] const std::string& db() const { return blue_db_->name(); }
    [[nodiscard]] Target blue_target() const {
        return Target{"127.0.0.1", std::to_string(blue_->port()), db()};
    }
    [[nodiscard]] Target green_target() const {
        return Target{"127.0.0.1", std::to_string(green_->port()), db()};
    }

    //! A bouncer in front of blue serving this test's database (and `more` entries).
    lab::Bouncer bouncer(lab::BouncerOptions options = {},
                         const std::vector<std::string>& more = {}) {
        std::vector<std::string> dbs = {db()};
        dbs.insert(dbs.end(), more.begin(), more.end());
        return bouncer_in_front(*blue_, dbs, std::move(options));
    }

    [[nodiscard]] config::Pooler pooler_config(const lab::Bouncer& b,
                                               PauseScope scope = PauseScope::automatic) const {
        config::Pooler p;
        p.name = "pgb" + std::to_string(b.port());
        p.kind = config::PoolerKind::pgbouncer;
        p.admin = b.admin_conninfo();
        p.ini = b.ini().string();
        p.database = db();
        p.pause_scope = scope;
        return p;
    }

    std::unique_ptr<pooler::PgBouncerPooler> prepared(const lab::Bouncer& b,
                                                      PauseScope scope = PauseScope::automatic) {
        auto p = std::make_unique<pooler::PgBouncerPooler>(pooler_config(b, scope));
        must(p->prepare(pg::after(milliseconds(5000))));
        return p;
    }

    //! Which cluster a new transaction through the bouncer lands on.
    std::string side_through(const lab::Bouncer& b) {
        auto c = connect_or_throw(b.conninfo(db()));
        return c.query_or_throw("SELECT side FROM marker").str(0, 0);
    }

    static lab::Cluster* blue_;
    static lab::Cluster* green_;
    std::unique_ptr<TestDatabase> blue_db_;
    std::unique_ptr<TestDatabase> green_db_;
};

lab::Cluster* PoolerTest::blue_ = nullptr;
lab::Cluster* PoolerTest::green_ = nullptr;

//! Client threads running one-statement write transactions through a pooler, recording when
//! each commit came back and every error.
class ClientLoad {
  public:
    ClientLoad(const std::string& conninfo, int clients) {
        for (int i = 0; i < clients; ++i) {
            threads_.emplace_back([this, conninfo] { run(conninfo); });
        }
        while (commits() < clients) std::this_thread::sleep_for(milliseconds(5));
    }
    ~ClientLoad() { stop(); }

    void stop() {
        stop_ = true;
        for (auto& t : threads_) {
            if (t.joinable()) t.join();
        }
    }
    [[nodiscard]] int commits() const { return commits_; }
    [[nodiscard]] std::vector<std::string> errors() {
        const std::lock_guard lock(mutex_);
        return errors_;
    }
    //! Commits that came back in [from, to].
    int commits_between(Clock::time_point from, Clock::time_point to) {
        const std::lock_guard lock(mutex_);
        return static_cast<int>(std::count_if(times_.begin(), times_.end(),
                                              [&](auto t) { return t >= from && t <= to; }));
    }

  private:
    void run(const std::string& conninfo) {
        auto c = connect_or_throw(conninfo);
        while (!stop_) {
            auto r = c.query("INSERT INTO t(v) VALUES (1)", pg::after(milliseconds(20000)));
            const std::lock_guard lock(mutex_);
            if (!r.ok()) errors_.push_back(r.error().str());
            if (r.ok()) times_.push_back(Clock::now());
            if (r.ok()) ++commits_;
        }
    }

    std::atomic<bool> stop_{false};
    std::atomic<int> commits_{0};
    std::mutex mutex_;
    std::vector<Clock::time_point> times_;
    std::vector<std::string> errors_;
    std::vector<std::thread> threads_;
};

TEST_F(PoolerTest, PrepareLearnsTheBouncer) {
    auto b = bouncer();
    auto p = prepared(b);
    EXPECT_EQ(p->facts().pool_mode, "transaction");
    EXPECT_EQ(p->facts().server_login_retry, 1);  // the lab's default
    EXPECT_FALSE(p->facts().serves_other_databases);
    EXPECT_EQ(p->pause_scope(), PauseScope::global);
    auto target = p->current_target(pg::after(milliseconds(2000)));
    ASSERT_TRUE(ok(target));
    EXPECT_EQ(*target, blue_target());
}

TEST_F(PoolerTest, PrepareRefusesAMissingEntryAndAnUnreloadedEdit) {
    auto b = bouncer();
    auto config = pooler_config(b);
    config.database = "nosuch";
    pooler::PgBouncerPooler missing(config);
    Status s = missing.prepare(pg::after(milliseconds(2000)));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("no entry for database \"nosuch\""), std::string::npos);

    std::string text = read_text(b.ini());
    std::string edited = text;
    edited.replace(edited.find("port=" + std::to_string(blue_->port())),
                   5 + std::to_string(blue_->port()).size(), "port=1");
    write_text(b.ini(), edited);
    pooler::PgBouncerPooler unreloaded(pooler_config(b));
    s = unreloaded.prepare(pg::after(milliseconds(2000)));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("but PgBouncer runs with"), std::string::npos)
        << s.error().str();
}

TEST_F(PoolerTest, PauseUnderLoadHoldsClientsWithoutErrors) {
    auto b = bouncer();
    auto p = prepared(b);
    ClientLoad load(b.conninfo(db()), 16);
    std::vector<double> pauses, resumes;
    for (int i = 0; i < 10; ++i) {
        auto t0 = Clock::now();
        ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(5000)))));
        pauses.push_back(ms_since(t0));
        const auto paused_at = Clock::now();
        std::this_thread::sleep_for(milliseconds(100));
        const auto resuming_at = Clock::now();
        ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
        resumes.push_back(ms_since(resuming_at));
        // Nothing commits while paused (20 ms of slack for threads that were just descheduled).
        EXPECT_EQ(load.commits_between(paused_at + milliseconds(20), resuming_at), 0);
        std::this_thread::sleep_for(milliseconds(50));
    }
    int before = load.commits();
    std::this_thread::sleep_for(milliseconds(200));
    EXPECT_GT(load.commits(), before);  // clients went on after the last RESUME
    load.stop();
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    std::printf("[measure] PAUSE, 16 clients: %s\n", summary(pauses).c_str());
    std::printf("[measure] RESUME (both scopes), 16 clients: %s\n", summary(resumes).c_str());
}

std::string scope_name(const ::testing::TestParamInfo<PauseScope>& scope) {
    return scope.param == PauseScope::global ? "global" : "database";
}

//! The drain deadline with an idle-in-transaction client, for both PAUSE scopes.
class PoolerDrainTest : public PoolerTest, public ::testing::WithParamInterface<PauseScope> {};

TEST_P(PoolerDrainTest, DeadlineLeavesThePoolerResumedWithFreshConnections) {
    auto b = bouncer();
    auto p = prepared(b, GetParam());
    ASSERT_EQ(p->pause_scope(), GetParam());
    auto blocker = connect_or_throw(b.conninfo(db()));
    blocker.query_or_throw("BEGIN");
    const int blocker_pid =
        static_cast<int>(blocker.query_or_throw("SELECT pg_backend_pid()").num(0, 0));

    auto t0 = Clock::now();
    Status s = p->pause(pg::after(milliseconds(300)));
    const double took = ms_since(t0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "57014") << s.error().str();
    EXPECT_NE(s.error().message.find(std::to_string(blocker_pid)), std::string::npos)
        << s.error().str();
    EXPECT_LT(took, 1000);  // no hang on the console that never answers
    std::printf("[measure] drain deadline 300 ms: pause() returned after %.1f ms\n", took);

    // Resumed: another client gets through at once, and the blocker's session lives on.
    auto t1 = Clock::now();
    auto other = connect_or_throw(b.conninfo(db()));
    other.query_or_throw("SELECT 1");
    EXPECT_LT(ms_since(t1), 500);
    blocker.query_or_throw("COMMIT");

    // Fresh connections: the next PAUSE is answered (the hung one never would be).
    auto t2 = Clock::now();
    ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(2000)))));
    EXPECT_LT(ms_since(t2), 500);
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));  // idempotent
    other.query_or_throw("SELECT 1");
}

TEST_P(PoolerDrainTest, BlockersFoundWhilePausingCanBeTerminated) {
    auto b = bouncer();
    auto p = prepared(b, GetParam());
    auto blocker = connect_or_throw(b.conninfo(db()));
    blocker.query_or_throw("BEGIN");
    const int blocker_pid =
        static_cast<int>(blocker.query_or_throw("SELECT pg_backend_pid()").num(0, 0));

    Status paused = make_error(Side::none, "not run");
    std::thread pausing([&] { paused = p->pause(pg::after(milliseconds(5000))); });
    std::this_thread::sleep_for(milliseconds(200));
    std::vector<int> pids = p->blocking_server_pids();  // the cutover's `cancel` policy
    EXPECT_EQ(pids, std::vector<int>{blocker_pid});
    auto blue = blue_db_->connect();
    for (int pid : pids) {
        // pg_cancel_backend would not end an idle transaction: terminate it.
        blue.query_or_throw("SELECT pg_terminate_backend(" + std::to_string(pid) + ")");
    }
    pausing.join();
    ASSERT_TRUE(ok(paused));
    EXPECT_TRUE(p->blocking_server_pids().empty());
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
}

INSTANTIATE_TEST_SUITE_P(Scopes, PoolerDrainTest,
                         ::testing::Values(PauseScope::global, PauseScope::database), scope_name);

TEST_F(PoolerTest, SwitchPointsNewTransactionsAtGreen) {
    auto b = bouncer();
    auto p = prepared(b);
    auto existing = connect_or_throw(b.conninfo(db()));
    EXPECT_EQ(existing.query_or_throw("SELECT side FROM marker").str(0, 0), "blue");

    ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(2000)))));
    auto t0 = Clock::now();
    ASSERT_TRUE(ok(p->switch_to(green_target(), pg::after(milliseconds(2000)))));
    std::printf("[measure] switch_to (ini rewrite + RELOAD + check): %.2f ms\n", ms_since(t0));
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));

    EXPECT_EQ(existing.query_or_throw("SELECT side FROM marker").str(0, 0), "green");
    EXPECT_EQ(existing.query_or_throw("SELECT inet_server_port()").num(0, 0), green_->port());
    EXPECT_EQ(side_through(b), "green");
    auto target = p->current_target(pg::after(milliseconds(2000)));
    ASSERT_TRUE(ok(target));
    EXPECT_EQ(*target, green_target());

    ASSERT_TRUE(ok(p->switch_to(blue_target(), pg::after(milliseconds(2000)))));  // and back
    EXPECT_EQ(side_through(b), "blue");
}

TEST_F(PoolerTest, IniRewriteKeepsContentOwnerModeAndIsAtomic) {
    auto b = bouncer({}, {"postgres"});
    // Comments, a quoted parameter and CRLF around the entry must survive byte for byte.
    std::string text = read_text(b.ini());
    const std::string blue_value =
        "host=127.0.0.1 port=" + std::to_string(blue_->port()) + " dbname=" + db();
    const std::string decorated = blue_value + " application_name='via pgbouncer' pool_size=5";
    text.replace(text.find(blue_value), blue_value.size(), decorated);
    text.insert(text.find("[databases]"), "; keep me\r\n# and me\n");
    write_text(b.ini(), text);
    chmod(b.ini().c_str(), 0640);
    struct stat before {};
    ASSERT_EQ(stat(b.ini().c_str(), &before), 0);
    {
        auto admin = connect_or_throw(b.admin_conninfo());
        admin.query_or_throw("RELOAD");
    }
    auto p = prepared(b);
    EXPECT_TRUE(p->facts().serves_other_databases);

    // A reader never sees a missing, empty or half-written file.
    std::atomic<bool> stop{false};
    std::atomic<int> reads{0};
    std::atomic<int> torn{0};
    const std::string green_value = "host=127.0.0.1 port=" + std::to_string(green_->port()) +
                                    " dbname=" + db() +
                                    " application_name='via pgbouncer' pool_size=5";
    std::string expected_green = text;
    expected_green.replace(expected_green.find(decorated), decorated.size(), green_value);
    std::thread reader([&] {
        while (!stop) {
            std::string now = read_text(b.ini());
            if (now != text && now != expected_green) ++torn;
            ++reads;
        }
    });
    std::vector<double> switches;
    for (int i = 0; i < 50; ++i) {
        auto t0 = Clock::now();
        ASSERT_TRUE(ok(p->switch_to(i % 2 == 0 ? green_target() : blue_target(),
                                    pg::after(milliseconds(2000)))));
        switches.push_back(ms_since(t0));
    }
    stop = true;
    reader.join();
    EXPECT_EQ(torn, 0) << "of " << reads << " reads";
    EXPECT_EQ(read_text(b.ini()), text);  // 50 switches: back on blue, byte for byte

    struct stat last_blue {};
    ASSERT_EQ(stat(b.ini().c_str(), &last_blue), 0);
    ASSERT_TRUE(ok(p->switch_to(green_target(), pg::after(milliseconds(2000)))));
    EXPECT_EQ(read_text(b.ini()), expected_green);
    struct stat after {};
    ASSERT_EQ(stat(b.ini().c_str(), &after), 0);
    EXPECT_EQ(after.st_uid, before.st_uid);
    EXPECT_EQ(after.st_gid, before.st_gid);
    EXPECT_EQ(after.st_mode & 07777, 0640u);
    EXPECT_NE(after.st_ino, last_blue.st_ino);  // replaced by rename, not written in place
    for (const auto& f : fs::directory_iterator(b.dir())) {
        EXPECT_EQ(f.path().filename().string().find(".pgflip-"), std::string::npos) << f.path();
    }
    EXPECT_EQ(side_through(b), "green");
    std::printf("[measure] switch_to, idle pool: %s\n", summary(switches).c_str());
}

TEST_F(PoolerTest, TwoBouncersFlipTogether) {
    auto b1 = bouncer();
    auto b2 = bouncer();
    std::vector<std::unique_ptr<pooler::Pooler>> poolers;
    for (const auto* b : {&b1, &b2})
        poolers.push_back(must(pooler::make_pooler(pooler_config(*b))));
    ClientLoad load1(b1.conninfo(db()), 4);
    ClientLoad load2(b2.conninfo(db()), 4);

    ASSERT_TRUE(ok(pooler::for_all(
        poolers, [](pooler::Pooler& p) { return p.prepare(pg::after(milliseconds(5000))); })));
    auto t0 = Clock::now();
    ASSERT_TRUE(ok(pooler::for_all(
        poolers, [](pooler::Pooler& p) { return p.pause(pg::after(milliseconds(2000))); })));
    const double paused = ms_since(t0);
    const Target green = green_target();
    ASSERT_TRUE(ok(pooler::for_all(poolers, [&](pooler::Pooler& p) {
        return p.switch_to(green, pg::after(milliseconds(2000)));
    })));
    const double switched = ms_since(t0);
    ASSERT_TRUE(ok(pooler::for_all(
        poolers, [](pooler::Pooler& p) { return p.resume(pg::after(milliseconds(2000))); })));
    std::printf(
        "[measure] two bouncers, 4 clients each: paused %.2f, switched %.2f, resumed "
        "%.2f ms after the start\n",
        paused, switched, ms_since(t0));
    load1.stop();
    load2.stop();
    EXPECT_TRUE(load1.errors().empty()) << load1.errors().front();
    EXPECT_TRUE(load2.errors().empty()) << load2.errors().front();
    EXPECT_EQ(side_through(b1), "green");
    EXPECT_EQ(side_through(b2), "green");

    // The first failure (in pooler order) is returned; every pooler ran.
    std::atomic<int> ran{0};
    Status s = pooler::for_all(poolers, [&](pooler::Pooler& p) -> Status {
        ++ran;
        if (&p == poolers[1].get()) return make_error(Side::pooler, "second failed");
        return {};
    });
    EXPECT_EQ(ran, 2);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().message, "second failed");
}

//! A client that logs in while the pooler is paused and switched; how long after RESUME its
//! first query is answered. That login is what springs the server_login_retry trap.
double login_during_flip(pooler::PgBouncerPooler& p, const lab::Bouncer& b, const std::string& db,
                         const Target& to) {
    must(p.pause(pg::after(milliseconds(2000))));
    must(p.switch_to(to, pg::after(milliseconds(2000))));
    std::optional<Clock::time_point> answered;
    std::thread client([&] {
        auto info = must(pg::Conninfo::parse(b.conninfo(db)));
        auto c = pg::Connection::connect(info, Side::local, pg::after(milliseconds(30000)));
        if (!c.ok()) {
            std::printf("login failed: %s\n", c.error().str().c_str());
            return;
        }
        if (c->query("SELECT 1", pg::after(milliseconds(30000))).ok()) answered = Clock::now();
    });
    std::this_thread::sleep_for(milliseconds(200));  // the login waits in the paused pooler
    const auto resumed_at = Clock::now();
    must(p.resume(pg::after(milliseconds(2000))));
    client.join();
    if (!answered) return -1;
    return std::chrono::duration<double, std::milli>(*answered - resumed_at).count();
}

// The raw fact, on the console without the driver: per-database PAUSE, host-changing RELOAD,
// a login, RESUME: the whole pool waits out server_login_retry.
TEST_F(PoolerTest, LoginRetryTrapSpringsOnTheBareConsole) {
    lab::BouncerOptions options;
    options.server_login_retry = 3;
    auto b = bouncer(options);
    ClientLoad load(b.conninfo(db()), 4);
    auto admin = connect_or_throw(b.admin_conninfo());
    admin.query_or_throw("PAUSE " + db());
    const std::string text = read_text(b.ini());
    auto entry = must(pooler::ini::find_database(text, db(), "ini"));
    must(pooler::ini::write_atomically(
        b.ini(), pooler::ini::replace_value(
                     text, entry, pooler::ini::with_target(entry.value, green_target()))));
    admin.query_or_throw("RELOAD");
    std::optional<Clock::time_point> answered;
    std::thread client([&] {
        auto c = connect_or_throw(b.conninfo(db()));
        c.query_or_throw("SELECT 1");
        answered = Clock::now();
    });
    std::this_thread::sleep_for(milliseconds(200));
    const auto resumed_at = Clock::now();
    admin.query_or_throw("RESUME " + db());
    client.join();
    const double stall = std::chrono::duration<double, std::milli>(*answered - resumed_at).count();
    std::printf(
        "[measure] trap on the bare console, per-database PAUSE, server_login_retry=3: "
        "new login answered %.0f ms after RESUME\n",
        stall);
    EXPECT_GT(stall, 2000);  // server_login_retry, minus the time since the failed connect
    EXPECT_LT(stall, 3500);
    load.stop();
    EXPECT_TRUE(load.errors().empty());
}

//! The driver defuses the trap in both scopes, with PgBouncer's default server_login_retry and
//! load that has just started (the pool still growing: what springs it under a global PAUSE).
class PoolerTrapTest : public PoolerTest, public ::testing::WithParamInterface<PauseScope> {};

TEST_P(PoolerTrapTest, NewLoginDuringTheFlipIsServedPromptly) {
    lab::BouncerOptions options;
    options.server_login_retry = 15;  // PgBouncer's default
    auto b = bouncer(options, {"postgres"});
    auto p = prepared(b, GetParam());
    for (int flip = 0; flip < 3; ++flip) {
        ClientLoad load(b.conninfo(db()), 4 + 4 * flip);
        const Target to = flip % 2 == 0 ? green_target() : blue_target();
        const double after = login_during_flip(*p, b, db(), to);
        std::printf(
            "[measure] %s PAUSE, server_login_retry=15, %d clients: new login answered "
            "%.1f ms after RESUME\n",
            GetParam() == PauseScope::global ? "global" : "per-database", 4 + 4 * flip, after);
        EXPECT_GE(after, 0);
        EXPECT_LT(after, 500) << read_text(b.dir() / "pgbouncer.log");
        load.stop();
        EXPECT_TRUE(load.errors().empty());
        EXPECT_EQ(side_through(b), flip % 2 == 0 ? "green" : "blue");
    }
    auto admin = connect_or_throw(b.admin_conninfo());
    auto config = admin.query_or_throw("SHOW CONFIG");
    for (int r = 0; r < config.size(); ++r) {
        if (config.str(r, 0) == "server_login_retry") {
            EXPECT_EQ(config.str(r, 1), "15");  // put back after each RESUME
        }
    }
}

INSTANTIATE_TEST_SUITE_P(Scopes, PoolerTrapTest,
                         ::testing::Values(PauseScope::global, PauseScope::database), scope_name);

TEST_F(PoolerTest, PerDatabasePauseLeavesOtherDatabasesAlone) {
    auto b = bouncer({}, {"postgres"});
    auto p = prepared(b);
    ASSERT_EQ(p->pause_scope(), PauseScope::database);  // another database is served
    auto other = connect_or_throw(b.conninfo("postgres"));
    auto busy = connect_or_throw(b.conninfo("postgres"));
    busy.query_or_throw("BEGIN");  // would block a global PAUSE
    busy.query_or_throw("SELECT 1");
    ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(2000)))));
    auto t0 = Clock::now();
    other.query_or_throw("SELECT 1");
    EXPECT_LT(ms_since(t0), 200);
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
    busy.query_or_throw("COMMIT");
}

TEST_F(PoolerTest, PerDatabasePauseTakesNamesThatNeedQuoting) {
    lab::BouncerOptions options;
    const std::string alias = "my-app.v2";
    options.databases[alias] =
        "host=127.0.0.1 port=" + std::to_string(blue_->port()) + " dbname=" + db();
    auto b = bouncer(options);
    auto config = pooler_config(b, PauseScope::database);
    config.database = alias;
    pooler::PgBouncerPooler p(config);
    ASSERT_TRUE(ok(p.prepare(pg::after(milliseconds(5000)))));
    ASSERT_TRUE(ok(p.pause(pg::after(milliseconds(2000)))));
    ASSERT_TRUE(ok(p.switch_to(green_target(), pg::after(milliseconds(2000)))));
    ASSERT_TRUE(ok(p.resume(pg::after(milliseconds(2000)))));
    auto c = connect_or_throw(b.conninfo(alias));
    EXPECT_EQ(c.query_or_throw("SELECT side FROM marker").str(0, 0), "green");
}

TEST_F(PoolerTest, StagedSwitchIsInstalledOrRedoneWhenTheIniChanged) {
    auto b = bouncer();
    auto p = prepared(b);
    ASSERT_TRUE(ok(p->stage_switch(green_target(), pg::after(milliseconds(2000)))));
    int staged_files = 0;
    for (const auto& f : fs::directory_iterator(b.dir())) {
        staged_files += f.path().filename().string().find(".pgflip-") != std::string::npos;
    }
    EXPECT_EQ(staged_files, 1);
    ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(2000)))));
    auto t0 = Clock::now();
    ASSERT_TRUE(ok(p->switch_to(green_target(), pg::after(milliseconds(2000)))));
    std::printf("[measure] switch_to with the ini staged before the pause: %.2f ms\n",
                ms_since(t0));
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
    EXPECT_EQ(side_through(b), "green");

    // Someone edits the ini after staging: the staged copy is stale, the switch redoes it.
    ASSERT_TRUE(ok(p->stage_switch(blue_target(), pg::after(milliseconds(2000)))));
    write_text(b.ini(), read_text(b.ini()) + "; edited by the operator\n");
    ASSERT_TRUE(ok(p->switch_to(blue_target(), pg::after(milliseconds(2000)))));
    const std::string text = read_text(b.ini());
    EXPECT_NE(text.find("; edited by the operator"), std::string::npos);
    EXPECT_NE(text.find("port=" + std::to_string(blue_->port())), std::string::npos);
    EXPECT_EQ(side_through(b), "blue");
    for (const auto& f : fs::directory_iterator(b.dir())) {
        EXPECT_EQ(f.path().filename().string().find(".pgflip-"), std::string::npos) << f.path();
    }
}

TEST_F(PoolerTest, MeasuresWithPgbench) {
    const fs::path pgbench = "/usr/lib/postgresql/15/bin/pgbench";
    if (!fs::exists(pgbench)) GTEST_SKIP() << "no pgbench 15";
    auto b = bouncer();
    for (const auto* cluster : {blue_, green_}) {
        const std::string init = pgbench.string() + " -i -q -s 4 -h 127.0.0.1 -p " +
                                 std::to_string(cluster->port()) + " -U postgres " + db();
        must(pooler::run_command(init + " >/dev/null 2>&1", {}, pg::after(milliseconds(60000))));
    }
    auto p = prepared(b);
    const fs::path log = b.dir() / "pgbench.out";
    const std::string run = pgbench.string() + " -n -M simple -c 16 -j 2 -T 8 -h 127.0.0.1 -p " +
                            std::to_string(b.port()) + " -U postgres " + db() + " >" +
                            log.string() + " 2>&1";
    Status bench = make_error(Side::none, "not run");
    std::thread runner(
        [&] { bench = pooler::run_command(run, {}, pg::after(milliseconds(60000))); });
    std::this_thread::sleep_for(milliseconds(1500));
    std::vector<double> pauses, switches, resumes, reloads;
    for (int i = 0; i < 20; ++i) {  // blue -> green -> blue ... while pgbench runs
        auto t0 = Clock::now();
        ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(5000)))));
        pauses.push_back(ms_since(t0));
        auto t1 = Clock::now();
        ASSERT_TRUE(ok(p->switch_to(i % 2 == 0 ? green_target() : blue_target(),
                                    pg::after(milliseconds(2000)))));
        switches.push_back(ms_since(t1));
        auto t2 = Clock::now();
        ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
        resumes.push_back(ms_since(t2));
        std::this_thread::sleep_for(milliseconds(150));
    }
    auto admin = connect_or_throw(b.admin_conninfo());
    for (int i = 0; i < 20; ++i) {
        auto t0 = Clock::now();
        admin.query_or_throw("RELOAD");
        reloads.push_back(ms_since(t0));
    }
    runner.join();
    const std::string out = read_text(log);
    ASSERT_TRUE(ok(bench)) << out;
    EXPECT_NE(out.find("number of failed transactions: 0 "), std::string::npos) << out;
    std::printf("[measure] pgbench -M simple -c 16 TPC-B through PgBouncer 1.18:\n");
    std::printf("[measure]   PAUSE  %s\n", summary(pauses).c_str());
    std::printf("[measure]   switch_to (host change) %s\n", summary(switches).c_str());
    std::printf("[measure]   bare RELOAD %s\n", summary(reloads).c_str());
    std::printf("[measure]   RESUME %s\n", summary(resumes).c_str());
    auto tps = out.find("tps = ");
    if (tps != std::string::npos) {
        std::printf("[measure]   %s\n", out.substr(tps, out.find('\n', tps) - tps).c_str());
    }
}

// ---- the switch-command pooler ----------------------------------------------------------------

//! A SIGKILLed process takes a moment to die; true once it has, within a second.
bool process_gone(int pid) {
    for (int i = 0; i < 100; ++i) {
        if (!process_alive(pid)) return true;  // a zombie counts as dead
        std::this_thread::sleep_for(milliseconds(10));
    }
    return false;
}

class CommandPoolerTest : public ::testing::Test {
  protected:
    void SetUp() override {
        char tmpl[] = "/tmp/pgflip-cmd-XXXXXX";
        dir_ = ::mkdtemp(tmpl);
    }
    void TearDown() override { fs::remove_all(dir_); }

    config::Pooler config(const std::string& switch_command) const {
        config::Pooler c;
        c.name = "dns";
        c.kind = config::PoolerKind::command;
        c.switch_command = switch_command;
        return c;
    }

    fs::path dir_;
};

TEST_F(CommandPoolerTest, RunsTheCommandWithTheTargetInItsEnvironment) {
    const fs::path out = dir_ / "target";
    auto c = config(
        "printf '%s|%s|%s|%s' \"$PGFLIP_TARGET_HOST\" \"$PGFLIP_TARGET_PORT\" "
        "\"$PGFLIP_TARGET_DBNAME\" \"$PGFLIP_POOLER\" > " +
        out.string());
    c.pause_command = "touch " + (dir_ / "paused").string();
    c.resume_command = "touch " + (dir_ / "resumed").string();
    auto p = must(pooler::make_pooler(c));
    ASSERT_TRUE(ok(p->prepare(pg::after(milliseconds(1000)))));
    EXPECT_FALSE(p->current_target(pg::after(milliseconds(1000))).ok());
    ASSERT_TRUE(ok(p->pause(pg::after(milliseconds(2000)))));
    EXPECT_TRUE(fs::exists(dir_ / "paused"));
    const Target green{"green.db.internal", "6432", "app v16"};
    auto t0 = Clock::now();
    ASSERT_TRUE(ok(p->switch_to(green, pg::after(milliseconds(2000)))));
    std::printf("[measure] switch command (sh -c printf): %.2f ms\n", ms_since(t0));
    EXPECT_EQ(read_text(out), "green.db.internal|6432|app v16|dns");
    ASSERT_TRUE(ok(p->resume(pg::after(milliseconds(2000)))));
    EXPECT_TRUE(fs::exists(dir_ / "resumed"));
    auto target = p->current_target(pg::after(milliseconds(1000)));
    ASSERT_TRUE(ok(target));
    EXPECT_EQ(*target, green);
}

TEST_F(CommandPoolerTest, KilledWithItsChildrenAtTheDeadline) {
    const fs::path pidfile = dir_ / "sleep.pid";
    auto p =
        must(pooler::make_pooler(config("sleep 30 & echo $! > " + pidfile.string() + "; wait")));
    auto t0 = Clock::now();
    Status s = p->switch_to(Target{"h", "1", "d"}, pg::after(milliseconds(300)));
    const double took = ms_since(t0);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().sqlstate, "57014") << s.error().str();
    EXPECT_NE(s.error().message.find("switch_command"), std::string::npos);
    EXPECT_GE(took, 300);
    EXPECT_LT(took, 1000);
    const int sleep_pid = std::atoi(read_text(pidfile).c_str());
    ASSERT_GT(sleep_pid, 0);
    EXPECT_TRUE(process_gone(sleep_pid));
    EXPECT_FALSE(p->current_target(pg::after(milliseconds(1000))).ok());  // never switched
}

TEST_F(CommandPoolerTest, FailureQuotesTheCommandsLastWords) {
    auto p = must(pooler::make_pooler(config("echo working; echo 'no such record' >&2; exit 3")));
    Status s = p->switch_to(Target{"h", "1", "d"}, pg::after(milliseconds(2000)));
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("exited with status 3: no such record"), std::string::npos)
        << s.error().str();
}

TEST_F(CommandPoolerTest, FailedPauseRunsTheResumeCommand) {
    auto c = config("true");
    c.pause_command = "exit 1";
    c.resume_command = "touch " + (dir_ / "resumed").string();
    auto p = must(pooler::make_pooler(c));
    EXPECT_FALSE(p->pause(pg::after(milliseconds(2000))).ok());
    EXPECT_TRUE(fs::exists(dir_ / "resumed"));
}

}  // namespace
}  // namespace pgflip::test
