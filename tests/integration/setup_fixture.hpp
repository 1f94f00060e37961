// Helpers for setup's integration suites: a migration between two test databases on shared
// clusters (unique slot names, subscription and slots removed at the end), pgflip run as a
// process, a steady write load on blue, and the comparison of every table and sequence.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "lab_fixture.hpp"
#include "sql/queries.hpp"
#include "state/state_dir.hpp"
#include "sync/process.hpp"

namespace pgflip::test {

namespace fs = std::filesystem;

struct PgflipRun {
    int exit_code = -1;
    std::string out;
    std::string err;
};

//! Settings that make row text identical on both sides, for comparisons.
inline void pin_text(pg::Connection& conn) {
    conn.query_or_throw(
        "SET datestyle = 'ISO, YMD'; SET intervalstyle = 'postgres'; SET extra_float_digits = 3;"
        "SET bytea_output = 'hex'; SET timezone = 'UTC'");
}

//! A steady write load on blue: the statements in turn, each its own transaction.
class WriteLoad {
  public:
    WriteLoad(std::string conninfo, std::vector<std::string> statements)
        : conninfo_(std::move(conninfo)), statements_(std::move(statements)) {}
    WriteLoad(const WriteLoad&) = delete;
    WriteLoad& operator=(const WriteLoad&) = delete;
    ~WriteLoad() { stop(); }

    void start() {
        thread_ = std::thread([this] { run(); });
    }
    //! Stops and returns the number of committed transactions.
    long long stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
        return commits_;
    }
    [[nodiscard]] long long commits() const { return commits_; }
    [[nodiscard]] const std::string& error() const { return error_; }

  private:
    void run() {
        auto conn = connect_or_throw(conninfo_, Side::blue);
        for (size_t i = 0; !stop_; ++i) {
            auto r = conn.query(statements_[i % statements_.size()]);
            if (!r.ok()) {
                error_ = r.error().str();
                return;
            }
            ++commits_;
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
    }

    std::string conninfo_;
    std::vector<std::string> statements_;
    std::atomic<bool> stop_{false};
    std::atomic<long long> commits_{0};
    std::string error_;
    std::thread thread_;
};

//! Blue and green test databases, and everything pgflip needs to migrate one to the other.
class Migration {
  public:
    //! `database_options`: how both test databases are created (CREATE DATABASE name ...).
    Migration(const lab::Cluster& blue, const lab::Cluster& green,
              const std::string& database_options = "")
        : Migration(std::make_shared<TestDatabase>(blue, unique_database_name(), database_options),
                    green, database_options) {}
    //! Another migration of `other`'s blue database (another name, another green database).
    Migration(const Migration& other, const lab::Cluster& green)
        : Migration(other.blue_db_, green, "") {}
    Migration(const Migration&) = delete;
    Migration& operator=(const Migration&) = delete;
    ~Migration() {
        try {
            drop_replication();
        } catch (const std::exception& e) {
            ADD_FAILURE() << "teardown: " << e.what();
        }
        std::error_code ec;
        fs::remove_all(state_dir_, ec);
    }

    [[nodiscard]] const TestDatabase& blue() const { return *blue_db_; }
    [[nodiscard]] const TestDatabase& green() const { return green_db_; }
    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] const fs::path& state_dir() const { return state_dir_; }

    //! pgflip's command line for this migration; `green` replaces green's conninfo when given.
    [[nodiscard]] std::vector<std::string> args(const std::vector<std::string>& command,
                                                const std::string& green = {}) const {
        std::vector<std::string> out = {"--blue",      blue_db_->conninfo(),
                                        "--green",     green.empty() ? green_db_.conninfo() : green,
                                        "--state-dir", state_dir_.string()};
        out.insert(out.end(), command.begin(), command.end());
        return out;
    }
    [[nodiscard]] std::map<std::string, std::string> env() const {
        return {{"PGFLIP_NAME", name_}};
    }

    PgflipRun run(const std::vector<std::string>& command, int timeout_s = 600) const {
        return run_args(args(command), timeout_s);
    }

    //! pgflip with green's conninfo replaced, e.g. by a port nothing listens on.
    PgflipRun run_with_green(const std::string& green,
                             const std::vector<std::string>& command) const {
        return run_args(args(command, green), 600);
    }

    PgflipRun run_args(const std::vector<std::string>& argv, int timeout_s) const {
        sync::Program p;
        p.path = PGFLIP_BINARY;
        p.args = argv;
        p.env = env();
        p.capture_stdout = true;
        auto r = sync::run_program(p, Side::local, pg::after(pg::milliseconds(timeout_s * 1000)));
        if (!r.ok()) throw std::runtime_error(r.error().str());
        return {r->exit_code, r->out, r->err};
    }

    //! `pgflip setup --json`, which must succeed; returns its report.
    nlohmann::json setup(const std::vector<std::string>& extra = {}) const {
        std::vector<std::string> command = {"--json", "setup"};
        command.insert(command.end(), extra.begin(), extra.end());
        PgflipRun r = run(command);
        if (r.exit_code != 0) {
            throw std::runtime_error("setup failed (" + std::to_string(r.exit_code) +
                                     "): " + r.out + r.err);
        }
        return nlohmann::json::parse(r.out);
    }

    nlohmann::json status() const {
        PgflipRun r = run({"--json", "status"});
        if (r.exit_code != 0) throw std::runtime_error("status failed: " + r.out + r.err);
        return nlohmann::json::parse(r.out);
    }

    //! Starts setup in the background (stdout and stderr to `log`); returns its pid.
    pid_t start_setup(const std::vector<std::string>& extra, const fs::path& log) const {
        std::vector<std::string> argv = {PGFLIP_BINARY};
        for (const auto& a : args({"setup"})) argv.push_back(a);
        argv.insert(argv.end(), extra.begin(), extra.end());
        pid_t pid = ::fork();
        if (pid == 0) {
            FILE* f = std::fopen(log.c_str(), "w");
            if (f != nullptr) {
                ::dup2(fileno(f), 1);
                ::dup2(fileno(f), 2);
            }
            ::setenv("PGFLIP_NAME", name_.c_str(), 1);
            std::vector<char*> c;
            for (auto& a : argv) c.push_back(a.data());
            c.push_back(nullptr);
            ::execv(c[0], c.data());
            ::_exit(127);
        }
        return pid;
    }

    //! Journal events named `event`.
    [[nodiscard]] std::vector<nlohmann::json> events(const std::string& event) const {
        std::vector<nlohmann::json> out;
        auto all = state::read_journal(state_dir_ / "journal.jsonl");
        if (!all.ok()) return out;
        for (auto& e : *all) {
            if (e.value("event", "") == event) out.push_back(e);
        }
        return out;
    }

    //! Waits until green has applied everything blue committed so far (a heartbeat, applied in
    //! commit order, comes last).
    void wait_caught_up(int timeout_s = 120) const {
        auto blue = blue_db_->connect();
        auto green = green_db_.connect();
        // The heartbeat status writes and reads (any DateStyle on either side).
        auto beat = blue.query_or_throw(sql::sync_heartbeat_beat);
        std::string written = beat.str(0, 0);
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
        while (std::chrono::steady_clock::now() < deadline) {
            auto seen = green.query_or_throw(sql::sync_heartbeat_seen, {written});
            if (seen.boolean(0, 0)) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        throw std::runtime_error("green did not catch up within " + std::to_string(timeout_s) +
                                 " s");
    }

    //! Every table on green holds blue's rows (count and an order-independent checksum of each
    //! row's text), and every sequence on green is at or ahead of blue's.
    void expect_same_data() const {
        auto blue = blue_db_->connect();
        auto green = green_db_.connect();
        auto blue_digests = digests(blue);
        auto green_digests = digests(green);
        EXPECT_FALSE(blue_digests.empty());
        for (const auto& [table, digest] : blue_digests) {
            auto it = green_digests.find(table);
            if (it == green_digests.end()) {
                ADD_FAILURE() << table << " missing on green";
                continue;
            }
            EXPECT_EQ(it->second, digest) << table << ": count/checksum differ";
        }
        expect_sequences_ahead(blue, green);
    }

  private:
    Migration(std::shared_ptr<TestDatabase> blue, const lab::Cluster& green,
              const std::string& database_options)
        : blue_db_(std::move(blue)), green_db_(green, unique_database_name(), database_options) {
        static std::atomic<int> counter{0};
        name_ = "it" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        std::string templ = "/tmp/pgflip-setup-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        state_dir_ = templ;
    }

    //! Table -> "rows/checksum" for every table of this database, partitions one by one.
    static std::map<std::string, std::string> digests(pg::Connection& conn) {
        pin_text(conn);
        auto tables = conn.query_or_throw(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' "
            "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg\\_%' AND c.relname <> 'copy_done' ORDER BY 1");
        std::map<std::string, std::string> out;
        for (int r = 0; r < tables.size(); ++r) {
            std::string t = tables.str(r, 0);
            auto d = conn.query_or_throw(
                "SELECT count(*) || '/' || coalesce(sum(('x' || substr(md5(x::text), 1, 15))"
                "::bit(60)::bigint), 0) FROM ONLY " +
                t + " AS x");
            out[t] = d.str(0, 0);
        }
        return out;
    }

    static void expect_sequences_ahead(pg::Connection& blue, pg::Connection& green) {
        const char* q =
            "SELECT format('%I.%I', schemaname, sequencename), last_value, increment_by "
            "FROM pg_sequences ORDER BY 1";
        auto b = blue.query_or_throw(q);
        auto g = green.query_or_throw(q);
        std::map<std::string, std::optional<std::string>> on_green;
        for (int r = 0; r < g.size(); ++r) on_green[g.str(r, 0)] = g.opt(r, 1);
        for (int r = 0; r < b.size(); ++r) {
            std::string seq = b.str(r, 0);
            if (b.is_null(r, 1)) continue;
            ASSERT_TRUE(on_green.count(seq)) << seq << " missing on green";
            ASSERT_TRUE(on_green[seq].has_value()) << seq << " never set on green";
            long long bv = b.num(r, 1);
            long long gv = std::stoll(*on_green[seq]);
            if (b.num(r, 2) > 0) {
                EXPECT_GE(gv, bv) << seq;
            } else {
                EXPECT_LE(gv, bv) << seq;
            }
        }
    }

    void drop_replication() {
        {
            auto green = green_db_.connect();
            std::string sub = green.quote_ident(name_ + "_sub");
            auto exists = green.query_or_throw(
                "SELECT count(*) FROM pg_subscription WHERE subname = $1", {name_ + "_sub"});
            if (exists.num(0, 0) > 0) {
                green.query_or_throw("ALTER SUBSCRIPTION " + sub + " DISABLE");
                green.query_or_throw("ALTER SUBSCRIPTION " + sub + " SET (slot_name = NONE)");
                green.query_or_throw("DROP SUBSCRIPTION " + sub);
            }
        }
        auto blue = blue_db_->connect();
        for (int attempt = 0; attempt < 100; ++attempt) {
            auto slots = blue.query_or_throw(
                "SELECT slot_name::text, active, active_pid FROM pg_replication_slots "
                "WHERE database = current_database()");
            if (slots.empty()) return;
            for (int r = 0; r < slots.size(); ++r) {
                if (slots.boolean(r, 1)) {
                    ignore_failure(
                        blue.query("SELECT pg_terminate_backend($1::int)", {slots.str(r, 2)}));
                } else {
                    ignore_failure(
                        blue.query("SELECT pg_drop_replication_slot($1)", {slots.str(r, 0)}));
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
    }

    std::shared_ptr<TestDatabase> blue_db_;  //!< shared by the migrations of one blue database
    TestDatabase green_db_;
    std::string name_;
    fs::path state_dir_;
};

}  // namespace pgflip::test
