// What the cutover suites share: a migration per test (a database on blue and on green with
// tables that use every kind of sequence, forward replication streaming, PgBouncer in front,
// pgflip.toml and a state directory), a write load through the pooler that remembers every
// acknowledged write, and pgflip run as a child process.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "lab/detail.hpp"
#include "lab_fixture.hpp"
#include "state/state_dir.hpp"

namespace pgflip::test {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kAppRole = "pgflip_app";
constexpr const char* kAppPassword = "app-secret";

inline double ms_since(Clock::time_point t) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t).count();
}

//! One run of the pgflip binary.
struct PgflipRun {
    int exit_code = -1;
    bool killed = false;  //!< ended by SIGKILL (the test hook)
    std::string out, err;
    nlohmann::json json;  //!< stdout parsed, when it was JSON
    double ms = 0;
};

//! Runs pgflip with `args` and extra environment; gives up (SIGKILL) after `timeout_s`. Its
//! output goes to files in `scratch` (not pipes: the watchdog it forks may outlive it).
inline PgflipRun run_pgflip(const std::vector<std::string>& args,
                            const std::vector<std::pair<std::string, std::string>>& env,
                            const fs::path& scratch, int timeout_s = 180) {
    const fs::path out = scratch / "pgflip.out";
    const fs::path err = scratch / "pgflip.err";
    fs::remove(out);
    fs::remove(err);
    ProcessSpec spec;
    spec.argv = {PGFLIP_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    for (const auto& [k, v] : env) spec.env[k] = v;
    spec.out = Output::appended_to(out);
    spec.err = Output::appended_to(err);
    const auto start = Clock::now();
    auto result = run_process(spec, start + std::chrono::seconds(timeout_s));
    if (!result) throw std::runtime_error("cannot start pgflip: " + result.error().str());
    PgflipRun run;
    run.ms = ms_since(start);
    run.killed = result->signal == SIGKILL;
    run.exit_code = result->signal == 0 ? result->exit_code : -1;
    run.out = slurp(out);
    run.err = slurp(err);
    run.json = nlohmann::json::parse(run.out, nullptr, false);
    return run;
}

//! Clients writing through a pooler, one transaction at a time, each with a unique (client, n)
//! and a row in every sequence-backed table; they remember what was acknowledged.
class Load {
  public:
    //! Clients number first_client, first_client + 1, ...: unique across loads of a test.
    Load(std::string conninfo, int clients, int first_client = 0) : conninfo_(std::move(conninfo)) {
        for (int c = first_client; c < first_client + clients; ++c) {
            threads_.emplace_back([this, c] { client(c); });
        }
    }
    Load(const Load&) = delete;
    Load& operator=(const Load&) = delete;
    ~Load() { stop(); }

    void stop() {
        stop_ = true;
        for (auto& t : threads_) {
            if (t.joinable()) t.join();
        }
    }
    [[nodiscard]] std::set<std::pair<int, int>> acked() const {
        std::lock_guard lock(mutex_);
        return acked_;
    }
    [[nodiscard]] size_t acked_count() const {
        std::lock_guard lock(mutex_);
        return acked_.size();
    }
    [[nodiscard]] std::vector<std::string> errors() const {
        std::lock_guard lock(mutex_);
        return errors_;
    }
    //! The longest time between two consecutive acknowledged writes (any client).
    [[nodiscard]] double max_gap_ms() const {
        std::lock_guard lock(mutex_);
        std::vector<Clock::time_point> t = ack_times_;
        std::sort(t.begin(), t.end());
        double gap = 0;
        for (size_t i = 1; i < t.size(); ++i) {
            gap = std::max(gap, std::chrono::duration<double, std::milli>(t[i] - t[i - 1]).count());
        }
        return gap;
    }
    //! Gaps between consecutive acknowledged writes longer than `ms`: (start, length) with the
    //! start in ms since `origin`.
    [[nodiscard]] std::vector<std::pair<double, double>> gaps_over(double ms,
                                                                   Clock::time_point origin) const {
        std::lock_guard lock(mutex_);
        std::vector<Clock::time_point> t = ack_times_;
        std::sort(t.begin(), t.end());
        std::vector<std::pair<double, double>> out;
        for (size_t i = 1; i < t.size(); ++i) {
            const double gap = std::chrono::duration<double, std::milli>(t[i] - t[i - 1]).count();
            if (gap > ms) {
                out.emplace_back(
                    std::chrono::duration<double, std::milli>(t[i - 1] - origin).count(), gap);
            }
        }
        return out;
    }
    //! Waits until `more` writes beyond now were acknowledged; false on timeout.
    bool progresses(size_t more = 20, int timeout_ms = 10000) const {
        const size_t target = acked_count() + more;
        const auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
        while (acked_count() < target) {
            if (Clock::now() > until) return false;
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return true;
    }

  private:
    static constexpr const char* kWrite =
        "WITH i AS (INSERT INTO items (client, n) VALUES ($1, $2) RETURNING id),"
        "     e AS (INSERT INTO events (item) SELECT id FROM i RETURNING id),"
        "     o AS (INSERT INTO notes (item) SELECT id FROM i RETURNING id) "
        "SELECT (SELECT id FROM e), (SELECT id FROM o)";

    void client(int c) {
        std::optional<pg::Connection> conn;
        for (int n = 1; !stop_; ++n) {
            if (!conn || !conn->is_ok()) {
                auto info = pg::Conninfo::parse(conninfo_);
                auto made = pg::Connection::connect(*info, Side::pooler,
                                                    pg::after(pg::milliseconds(30000)));
                if (!made.ok()) {
                    record_error(made.error().str());
                    std::this_thread::sleep_for(std::chrono::milliseconds(50));
                    continue;
                }
                conn.emplace(std::move(made).value());
            }
            auto r = conn->query(kWrite, {std::to_string(c), std::to_string(n)},
                                 pg::after(pg::milliseconds(60000)));
            if (!r.ok()) {
                record_error(r.error().str());
                continue;
            }
            std::lock_guard lock(mutex_);
            acked_.emplace(c, n);
            ack_times_.push_back(Clock::now());
        }
    }
    void record_error(const std::string& e) {
        std::lock_guard lock(mutex_);
        errors_.push_back(e);
    }

    std::string conninfo_;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::set<std::pair<int, int>> acked_;
    std::vector<Clock::time_point> ack_times_;
    std::vector<std::string> errors_;
    std::vector<std::thread> threads_;
};

//! The schema of a test database, the same on both sides: a bigserial, an identity column and
//! a sequence owned by no column.
constexpr const char* kSchema = R"(
CREATE TABLE items (id bigserial PRIMARY KEY, client int NOT NULL, n int NOT NULL,
                    UNIQUE (client, n));
CREATE TABLE events (id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY, item bigint NOT NULL);
CREATE SEQUENCE loose_seq;
CREATE TABLE notes (id bigint PRIMARY KEY DEFAULT nextval('loose_seq'), item bigint NOT NULL);
GRANT ALL ON ALL TABLES IN SCHEMA public TO pgflip_app;
GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO pgflip_app;
)";

inline void ensure_app_role(const lab::Cluster& cluster) {
    auto c = connect_or_throw(cluster.conninfo());
    c.query_or_throw(
        std::string("DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '") +
        kAppRole + "') THEN CREATE ROLE " + kAppRole + " LOGIN PASSWORD '" + kAppPassword +
        "'; END IF; END $$");
}

struct MigrationOptions {
    int poolers = 1;
    int budget_ms = 3000;
    int drain_timeout_ms = 1000;
    std::string drain_policy = "abort";
    int max_xact_age_ms = 1000;
    bool list_app_roles = false;         //!< app_roles = [pgflip_app] instead of the default
    bool publish_listed_tables = false;  //!< FOR TABLE items, events, notes: not FOR ALL TABLES
};

//! One test's migration: blue and green databases, forward replication, poolers, config.
class Migration {
  public:
    Migration(const lab::Cluster& blue, const lab::Cluster& green, MigrationOptions options = {})
        : blue_cluster_(blue),
          green_cluster_(green),
          options_(options),
          name_(unique_database_name()),
          blue_db_(blue, name_),
          green_db_(green, name_) {
        ensure_app_role(blue);
        ensure_app_role(green);
        auto b = blue_db_.connect();
        auto g = green_db_.connect();
        b.query_or_throw(kSchema);
        g.query_or_throw(kSchema);
        b.query_or_throw(
            "INSERT INTO items (client, n) SELECT -1, g FROM generate_series(1, 500) g;"
            "INSERT INTO events (item) SELECT id FROM items;"
            "INSERT INTO notes (item) SELECT id FROM items");
        b.query_or_throw(
            "CREATE PUBLICATION " + slot_prefix() + "_pub FOR " +
            (options.publish_listed_tables ? "TABLE items, events, notes" : "ALL TABLES"));
        g.query_or_throw("CREATE SUBSCRIPTION " + slot_prefix() + "_sub CONNECTION '" +
                         blue.conninfo(name_) + "' PUBLICATION " + slot_prefix() +
                         "_pub WITH (slot_name = '" + slot_prefix() + "_slot')");
        wait_synced(g);
        for (int i = 0; i < options.poolers; ++i) start_bouncer();
        write_config();
    }
    Migration(const Migration&) = delete;
    Migration& operator=(const Migration&) = delete;
    ~Migration() { teardown(); }

    //! config.name: short, unique per test (slot names are per cluster).
    [[nodiscard]] std::string slot_prefix() const { return "m" + std::to_string(id_); }
    [[nodiscard]] const std::string& db() const { return name_; }
    [[nodiscard]] pg::Connection blue() const { return blue_db_.connect(); }
    [[nodiscard]] pg::Connection green() const { return green_db_.connect(); }
    [[nodiscard]] lab::Bouncer& bouncer(size_t i = 0) { return *bouncers_.at(i); }
    [[nodiscard]] std::string client_conninfo(size_t i = 0) const {
        return bouncers_.at(i)->conninfo(name_, kAppRole) + " password=" + kAppPassword;
    }
    [[nodiscard]] fs::path state_dir() const { return scratch_.path() / "state"; }
    [[nodiscard]] fs::path config_path() const { return scratch_.path() / "pgflip.toml"; }

    PgflipRun pgflip(std::vector<std::string> args,
                     const std::vector<std::pair<std::string, std::string>>& env = {}) {
        args.insert(args.begin(), {"--config", config_path().string(), "--json"});
        PgflipRun run = run_pgflip(args, env, scratch_.path());
        std::printf("[pgflip %s] exit %d%s in %.0f ms\n", args[3].c_str(), run.exit_code,
                    run.killed ? " (killed)" : "", run.ms);
        print_timings(run);
        return run;
    }

    //! Waits until the watchdog of the state directory has exited (it settles, then exits).
    void wait_for_watchdog(int timeout_ms = 30000) const {
        const auto until = Clock::now() + std::chrono::milliseconds(timeout_ms);
        std::ifstream in(state_dir() / "watchdog.pid");
        int pid = 0;
        in >> pid;
        while (pid > 0 && lab::detail::process_alive(pid)) {
            if (Clock::now() > until) throw std::runtime_error("watchdog did not exit");
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }

    //! Where every pooler sends the database now (SHOW DATABASES port), and whether paused.
    [[nodiscard]] std::vector<std::pair<int, bool>> pooler_state() {
        std::vector<std::pair<int, bool>> out;
        for (auto& b : bouncers_) {
            auto admin = connect_or_throw(b->admin_conninfo());
            auto rows = admin.query_or_throw("SHOW DATABASES");
            for (int r = 0; r < rows.size(); ++r) {
                if (rows.get(r, rows.column("name")) != name_) continue;
                out.emplace_back(std::atoi(rows.str(r, rows.column("port")).c_str()),
                                 rows.get(r, rows.column("paused")) == "1");
            }
        }
        return out;
    }

    //! The load still writes; then it stops, every write it had acknowledged is on `side` and
    //! none of its writes failed.
    void expect_load_landed(Load& load, Side side) const {
        ASSERT_TRUE(load.progresses());
        load.stop();
        auto conn = side == Side::green ? green() : blue();
        expect_all_acked(conn, load.acked());
        EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    }

    //! Every acknowledged write is on `conn`'s side.
    static void expect_all_acked(pg::Connection& conn, const std::set<std::pair<int, int>>& acked) {
        auto rows = conn.query_or_throw("SELECT client, n FROM items WHERE client >= 0");
        std::set<std::pair<int, int>> there;
        for (int r = 0; r < rows.size(); ++r) {
            there.emplace(static_cast<int>(rows.num(r, 0)), static_cast<int>(rows.num(r, 1)));
        }
        size_t missing = 0;
        for (const auto& a : acked) missing += there.count(a) == 0;
        EXPECT_EQ(missing, 0U) << "acknowledged writes missing: " << missing << " of "
                               << acked.size();
        EXPECT_GT(acked.size(), 0U);
    }

  private:
    static int next_id() {
        static std::atomic<int> n{0};
        return ++n + static_cast<int>(::getpid() % 1000) * 100;
    }

    static void wait_synced(pg::Connection& green) {
        const auto until = Clock::now() + std::chrono::seconds(60);
        for (;;) {
            auto rows = green.query_or_throw(
                "SELECT count(*) FILTER (WHERE srsubstate <> 'r'), count(*) FROM "
                "pg_subscription_rel");
            if (rows.num(0, 0) == 0 && rows.num(0, 1) > 0) return;
            if (Clock::now() > until) throw std::runtime_error("subscription did not sync");
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
    }

    void start_bouncer() {
        lab::BouncerOptions o;
        o.users[kAppRole] = kAppPassword;
        // PgBouncer's PAUSE closes a server connection still logging in, which marks the
        // pool's login as failing: after RESUME no new server connection is tried for
        // server_login_retry (1 s in the lab, 15 s by default) and clients arriving meanwhile
        // are refused. Production poolers need it low too (pgflip check says so).
        o.extra["server_login_retry"] = "0.05";
        o.databases[name_] =
            "host=127.0.0.1 port=" + std::to_string(blue_cluster_.port()) + " dbname=" + name_;
        bouncers_.push_back(std::make_unique<lab::Bouncer>(must(lab::Bouncer::start(o))));
    }

    void write_config() {
        std::ofstream f(config_path());
        f << "name = \"" << slot_prefix() << "\"\nstate_dir = \"" << state_dir().string() << "\"\n";
        if (options_.list_app_roles) f << "app_roles = [\"" << kAppRole << "\"]\n";
        f << "[blue]\nconninfo = \"" << blue_db_.conninfo() << "\"\n";
        f << "[green]\nconninfo = \"" << green_db_.conninfo() << "\"\n";
        f << "[cutover]\nbudget_ms = " << options_.budget_ms
          << "\ndrain_timeout_ms = " << options_.drain_timeout_ms << "\ndrain_policy = \""
          << options_.drain_policy << "\"\nmax_xact_age_ms = " << options_.max_xact_age_ms << "\n";
        for (size_t i = 0; i < bouncers_.size(); ++i) {
            f << "[[pooler]]\nname = \"pgb" << i + 1 << "\"\nadmin = \""
              << bouncers_[i]->admin_conninfo() << "\"\nini = \"" << bouncers_[i]->ini().string()
              << "\"\ndatabase = \"" << name_ << "\"\nclient = \"" << client_conninfo(i) << "\"\n";
        }
    }

    static void print_timings(const PgflipRun& run) {
        if (!run.json.is_object() || !run.json.contains("flips")) {
            if (!run.err.empty()) std::printf("  stderr: %s\n", run.err.c_str());
            return;
        }
        for (const auto& f : run.json["flips"]) {
            std::printf("  %s %s: blackout %s ms\n", f.value("op", "").c_str(),
                        f.value("outcome", "").c_str(),
                        f["blackout_ms"].is_number()
                            ? std::to_string(f["blackout_ms"].get<double>()).c_str()
                            : "-");
            for (const auto& s : f["steps"]) {
                std::printf("    %-14s %8.2f ms %s %s %s\n", s.value("step", "").c_str(),
                            s.value("ms", 0.0), s.value("ok", false) ? "ok" : "FAIL",
                            s.value("detail", "").c_str(), s.value("error", "").c_str());
            }
            if (f.contains("error")) std::printf("    error: %s\n", f["error"].dump().c_str());
        }
        if (run.json.contains("error"))
            std::printf("  error: %s\n", run.json["error"].dump().c_str());
    }

    //! Subscriptions and slots first: a database with them cannot be dropped.
    void teardown() noexcept {
        for (const lab::Cluster* c : {&green_cluster_, &blue_cluster_}) {
            try {
                auto conn = connect_or_throw(c->conninfo(name_));
                conn.query_or_throw(
                    "DO $$ DECLARE s record; BEGIN FOR s IN SELECT subname FROM pg_subscription "
                    "WHERE subdbid = (SELECT oid FROM pg_database WHERE datname = "
                    "current_database()) LOOP "
                    "EXECUTE format('ALTER SUBSCRIPTION %I DISABLE', s.subname); "
                    "EXECUTE format('ALTER SUBSCRIPTION %I SET (slot_name = NONE)', s.subname); "
                    "EXECUTE format('DROP SUBSCRIPTION %I', s.subname); END LOOP; END $$");
            } catch (const std::exception& e) {
                std::printf("teardown: %s\n", e.what());
            }
        }
        for (const lab::Cluster* c : {&green_cluster_, &blue_cluster_}) {
            try {
                auto conn = connect_or_throw(c->conninfo());
                for (int i = 0; i < 50; ++i) {
                    auto rows = conn.query_or_throw(
                        "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots "
                        "WHERE slot_name LIKE '" +
                        slot_prefix() + "\\_%' AND active_pid IS NOT NULL");
                    auto left = conn.query_or_throw(
                        "SELECT count(pg_drop_replication_slot(slot_name)) FROM "
                        "pg_replication_slots "
                        "WHERE slot_name LIKE '" +
                        slot_prefix() + "\\_%' AND NOT active");
                    auto still = conn.query_or_throw(
                        "SELECT count(*) FROM pg_replication_slots WHERE slot_name LIKE '" +
                        slot_prefix() + "\\_%'");
                    if (still.num(0, 0) == 0) break;
                    std::this_thread::sleep_for(std::chrono::milliseconds(20));
                }
            } catch (const std::exception& e) {
                std::printf("teardown: %s\n", e.what());
            }
        }
    }

    const lab::Cluster& blue_cluster_;
    const lab::Cluster& green_cluster_;
    MigrationOptions options_;
    int id_ = next_id();
    TempDir scratch_{"cutover"};
    std::string name_;
    TestDatabase blue_db_;
    TestDatabase green_db_;
    std::vector<std::unique_ptr<lab::Bouncer>> bouncers_;
};

}  // namespace pgflip::test
