#include "shadow/replay.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include "catalog/servers.hpp"
#include "shadow/statement.hpp"
#include "sql/queries.hpp"

namespace pgflip::shadow {

namespace {

constexpr auto connect_timeout = std::chrono::seconds(30);

//! An admitted execution and what the pre-filter knows about it.
struct Job {
    const Execution* execution = nullptr;
    bool ordered = false;
};

//! Everything the workers share.
struct Shared {
    const config::Config& config;
    const ReplayOptions& options;
    const std::vector<Job>& jobs;
    std::atomic<size_t> next{0};
    std::mutex mutex;
    Collector collector;
};

Status set_up(pg::Connection& conn, const ReplayOptions& options) {
    const pg::Deadline deadline = pg::after(connect_timeout);
    auto rows =
        conn.query(sql::shadow_session, {std::to_string(options.timeout.count())}, deadline);
    if (!rows.ok()) return rows.take_error();
    for (const auto& [name, value] : options.settings) {
        auto set = conn.query(sql::shadow_set_setting, {name, value}, deadline);
        if (!set.ok()) return set.take_error();
    }
    return {};
}

Result<pg::Connection> open_side(const config::Config& config, Side side,
                                 const ReplayOptions& options) {
    const std::string& conninfo = side == Side::blue ? config.blue : config.green;
    auto conn = catalog::connect_side(conninfo, side, pg::after(connect_timeout));
    if (!conn.ok()) return conn.take_error();
    PGFLIP_TRY(set_up(*conn, options));
    return conn;
}

//! One execution on one side, inside a read-only transaction that is always rolled back.
Outcome run_on(pg::Connection& conn, const Execution& e, std::chrono::milliseconds timeout) {
    // Room beyond statement_timeout, so that the server's own timeout answers first.
    const pg::Deadline deadline = pg::after(timeout + std::chrono::seconds(5));
    auto begin = conn.query("BEGIN READ ONLY", deadline);
    if (!begin.ok()) return {std::nullopt, begin.take_error()};
    auto rows = conn.query(e.sql, e.params, deadline);
    ignore_failure(conn.query("ROLLBACK", deadline));
    if (!rows.ok()) return {std::nullopt, rows.take_error()};
    return {normalize(*rows), std::nullopt};
}

//! A connection of a worker: opened on first use and again after it broke.
class SideConnection {
  public:
    SideConnection(Side side, Shared& shared) : side_(side), shared_(shared) {}

    Outcome run(const Execution& e) {
        if (!conn_ || !conn_->is_ok()) {
            conn_.reset();
            auto opened = open_side(shared_.config, side_, shared_.options);
            if (!opened.ok()) return {std::nullopt, opened.take_error()};
            conn_.emplace(std::move(opened).value());
        }
        return run_on(*conn_, e, shared_.options.timeout);
    }

  private:
    Side side_;
    Shared& shared_;
    std::optional<pg::Connection> conn_;
};

void worker(Shared& shared) {
    SideConnection blue(Side::blue, shared);
    SideConnection green(Side::green, shared);
    for (size_t i = shared.next++; i < shared.jobs.size(); i = shared.next++) {
        const Job& job = shared.jobs[i];
        auto blue_outcome =
            std::async(std::launch::async, [&] { return blue.run(*job.execution); });
        Outcome green_outcome = green.run(*job.execution);
        const Comparison c = compare(blue_outcome.get(), green_outcome, job.ordered);
        const std::lock_guard lock(shared.mutex);
        shared.collector.compared(*job.execution, c);
    }
}

double seconds_since(pg::Clock::time_point start) {
    return std::chrono::duration<double>(pg::Clock::now() - start).count();
}

}  // namespace

std::vector<Execution> sample(std::vector<Execution> executions, double fraction, unsigned seed) {
    if (fraction >= 1.0) return executions;
    std::mt19937 random(seed);
    std::bernoulli_distribution keep(fraction);
    std::vector<Execution> out;
    for (auto& e : executions) {
        if (keep(random)) out.push_back(std::move(e));
    }
    return out;
}

Result<ShadowReport> replay(const config::Config& config, std::vector<Execution> executions,
                            const ReplayOptions& options) {
    const auto start = pg::Clock::now();
    ShadowReport report;
    auto servers = catalog::connect_servers(config, pg::after(connect_timeout));
    if (!servers.ok()) return servers.take_error();
    report.blue_version = servers->blue_info.version;
    report.green_version = servers->green_info.version;
    report.read = static_cast<long long>(executions.size());
    executions = sample(std::move(executions), options.sample, options.seed);
    report.sampled = static_cast<long long>(executions.size());

    Collector collector(options.max_examples);
    std::vector<Job> jobs;
    for (const Execution& e : executions) {
        const Admission a = admit(e.sql);
        if (!a.read_only) {
            collector.skipped(e, a.reason);
            ++report.skipped;
            continue;
        }
        jobs.push_back({&e, orders_rows(e.sql)});
    }
    Shared shared{config, options, jobs, {}, {}, std::move(collector)};
    std::vector<std::thread> threads;
    const int workers =
        std::clamp(static_cast<int>(jobs.size()), 1, std::max(options.concurrency, 1));
    for (int w = 0; w < workers; ++w) threads.emplace_back([&] { worker(shared); });
    for (auto& t : threads) t.join();
    report.replayed = static_cast<long long>(jobs.size());
    report.groups = shared.collector.groups();
    report.seconds = seconds_since(start);
    return report;
}

}  // namespace pgflip::shadow
