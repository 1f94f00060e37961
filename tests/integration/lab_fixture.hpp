// Shared helpers for integration suites: which majors and upgrade pairs to test, clusters shared
// by the tests of one binary (initdb costs about a second), a fresh database per test, scratch
// directories, running the pgflip binary, and assertions that print a Result's Error.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "common/process.hpp"
#include "common/result.hpp"
#include "lab/lab.hpp"
#include "pg/connection.hpp"
#include "scratch_dir.hpp"

namespace pgflip::test {

//! Passes when the Result holds a value; otherwise fails with Error::str().
//! Use as EXPECT_TRUE(ok(result)) or ASSERT_TRUE(ok(result)).
template <class T>
::testing::AssertionResult ok(const Result<T>& result) {
    if (result.ok()) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << result.error().str();
}

//! The value of a Result, or throws (gtest reports the test as failed with the Error).
//! For setup steps where nothing after a failure makes sense.
template <class T>
T must(Result<T> result) {
    if (!result.ok()) throw std::runtime_error(result.error().str());
    return std::move(result).value();
}

inline void must(Status status) {
    if (!status.ok()) throw std::runtime_error(status.error().str());
}

//! Comma-separated integers ("14,16,18").
inline std::vector<int> parse_majors(const std::string& text) {
    std::vector<int> out;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');) {
        if (!item.empty()) out.push_back(std::atoi(item.c_str()));
    }
    return out;
}

//! Majors to test: $PGFLIP_TEST_MAJORS ("14,16"), else every installed one.
inline std::vector<int> test_majors() {
    const char* env = std::getenv("PGFLIP_TEST_MAJORS");
    if (env != nullptr && *env != '\0') return parse_majors(env);
    return lab::installed_majors();
}

inline bool is_installed(int major) {
    return lab::pg_bindir(major).has_value();
}

//! blue -> green pairs: $PGFLIP_TEST_PAIRS ("14:16,15:17"), else 14->16, 15->17, 14->18 where
//! installed. Blue stays at 14 or 15 because the client tools (pg_dump) are version 15.
inline std::vector<std::pair<int, int>> upgrade_pairs() {
    std::vector<std::pair<int, int>> pairs;
    const char* env = std::getenv("PGFLIP_TEST_PAIRS");
    if (env != nullptr && *env != '\0') {
        std::istringstream in(env);
        for (std::string item; std::getline(in, item, ',');) {
            const auto colon = item.find(':');
            if (colon == std::string::npos) continue;
            pairs.emplace_back(std::atoi(item.substr(0, colon).c_str()),
                               std::atoi(item.substr(colon + 1).c_str()));
        }
        return pairs;
    }
    for (const auto& pair : std::vector<std::pair<int, int>>{{14, 16}, {15, 17}, {14, 18}}) {
        if (is_installed(pair.first) && is_installed(pair.second)) pairs.push_back(pair);
    }
    return pairs;
}

//! The one pair `variable` names ("14:18", default 14:17) when both majors are installed, else
//! upgrade_pairs().
inline std::vector<std::pair<int, int>> pair_from_env(const char* variable) {
    const char* env = std::getenv(variable);
    std::string text = env != nullptr && *env != '\0' ? env : "14:17";
    const auto colon = text.find(':');
    std::pair<int, int> pair{std::atoi(text.substr(0, colon).c_str()),
                             std::atoi(text.substr(colon + 1).c_str())};
    if (is_installed(pair.first) && is_installed(pair.second)) return {pair};
    return upgrade_pairs();
}

//! gtest parameter names: "pg16", "pg14_to_pg18".
inline std::string major_name(const ::testing::TestParamInfo<int>& info) {
    return "pg" + std::to_string(info.param);
}
inline std::string pair_name(const ::testing::TestParamInfo<std::pair<int, int>>& info) {
    return "pg" + std::to_string(info.param.first) + "_to_pg" + std::to_string(info.param.second);
}

//! A cluster of `major` shared by every test of this binary: started on first use, stopped
//! when the binary exits. Tests must not stop or reconfigure it; give each test a TestDatabase.
inline lab::Cluster& shared_cluster(int major) {
    static std::mutex mutex;
    static std::map<int, std::unique_ptr<lab::Cluster>> clusters;
    const std::lock_guard lock(mutex);
    auto& slot = clusters[major];
    if (!slot) {
        lab::ClusterOptions options;
        options.major = major;
        slot = std::make_unique<lab::Cluster>(must(lab::Cluster::start(options)));
    }
    return *slot;
}

//! Connects or throws; for tests.
inline pg::Connection connect_or_throw(const std::string& conninfo, Side side = Side::local) {
    auto info = must(pg::Conninfo::parse(conninfo, side));
    return must(pg::Connection::connect(info, side, pg::after(pg::milliseconds(10000))));
}

//! "t_<suite>_<test>_<n>": lower case, [a-z0-9_], at most 63 bytes.
inline std::string unique_database_name() {
    static std::atomic<int> counter{0};
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string raw = info != nullptr ? std::string(info->test_suite_name()) + "_" + info->name()
                                      : std::string("outside_test");
    std::string name = "t_";
    for (const char c : raw) {
        const auto u = static_cast<unsigned char>(c);
        name += std::isalnum(u) != 0 ? static_cast<char>(std::tolower(u)) : '_';
    }
    const std::string suffix = "_" + std::to_string(++counter);
    return name.substr(0, std::min<std::size_t>(name.size(), 63 - suffix.size())) + suffix;
}

//! A database of its own for the running test, dropped (WITH (FORCE)) when the test ends.
class TestDatabase {
  public:
    //! `options`: what follows CREATE DATABASE name, e.g. "ENCODING 'LATIN1' ... TEMPLATE
    //! template0".
    explicit TestDatabase(const lab::Cluster& cluster, std::string name = unique_database_name(),
                          const std::string& options = "")
        : cluster_(cluster), name_(std::move(name)) {
        auto admin = connect_or_throw(cluster_.conninfo());
        admin.query_or_throw("CREATE DATABASE " + admin.quote_ident(name_) +
                             (options.empty() ? "" : " " + options));
    }
    TestDatabase(const TestDatabase&) = delete;
    TestDatabase& operator=(const TestDatabase&) = delete;
    ~TestDatabase() {
        auto info = pg::Conninfo::parse(cluster_.conninfo(), Side::local);
        if (!info.ok()) return;
        auto admin =
            pg::Connection::connect(*info, Side::local, pg::after(pg::milliseconds(10000)));
        if (!admin.ok()) return;
        ignore_failure(
            admin->query("DROP DATABASE IF EXISTS " + admin->quote_ident(name_) + " WITH (FORCE)"));
    }

    [[nodiscard]] const std::string& name() const { return name_; }
    [[nodiscard]] std::string conninfo(const std::string& user = "postgres") const {
        return cluster_.conninfo(name_, user);
    }
    //! A superuser connection to this database.
    [[nodiscard]] pg::Connection connect() const { return connect_or_throw(conninfo()); }

  private:
    const lab::Cluster& cluster_;
    std::string name_;
};

//! A file's whole content ("" when it cannot be read).
inline std::string slurp(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

//! One run of the pgflip binary.
struct CliRun {
    int exit_code = -1;
    std::string out;
    std::string err;
    [[nodiscard]] nlohmann::json doc() const { return nlohmann::json::parse(out, nullptr, false); }
};

//! Runs the pgflip binary with `args` in `dir`, capturing its stdout and stderr; exit code -1
//! when a signal ended it.
inline CliRun run_cli(const std::vector<std::string>& args, const std::filesystem::path& dir) {
    ProcessSpec spec;
    spec.argv = {PGFLIP_BINARY};
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.out = Output::captured();
    spec.err = Output::captured();
    spec.cwd = dir;
    auto run = run_process(spec);
    if (!run) throw std::runtime_error("cannot start pgflip: " + run.error().str());
    return {run->signal == 0 ? run->exit_code : -1, std::move(run->out), std::move(run->err)};
}

//! A PgBouncer (transaction mode, trust) in front of `cluster`, serving the given databases.
inline lab::Bouncer bouncer_in_front(const lab::Cluster& cluster,
                                     const std::vector<std::string>& dbnames,
                                     lab::BouncerOptions options = {}) {
    for (const auto& db : dbnames) {
        options.databases[db] =
            "host=127.0.0.1 port=" + std::to_string(cluster.port()) + " dbname=" + db;
    }
    return must(lab::Bouncer::start(std::move(options)));
}

}  // namespace pgflip::test
