// What bench/copy and bench/verify share besides their data: failing loudly without leaking
// servers (die() throws, so the lab clusters' destructors stop them), connecting, running SQL
// with a long deadline, timing, and the median of repeated rounds.
#pragma once

#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "pg/connection.hpp"

namespace pgflip::bench {

using Clock = std::chrono::steady_clock;

//! What die() throws; bench_main() prints it and exits 1.
struct Failure : std::runtime_error {
    using std::runtime_error::runtime_error;
};

[[noreturn]] void die(const std::string& why);

template <class T>
T must(Result<T> r) {
    if (!r.ok()) die(r.error().str());
    return std::move(r).value();
}
void must(const Status& s);

[[nodiscard]] pg::Connection connect(const std::string& conninfo);
//! Runs `sql` (deadline: four hours); dies on an error.
pg::Rows run_sql(pg::Connection& conn, const std::string& sql, const pg::Params& params = {});
[[nodiscard]] double seconds_since(Clock::time_point start);
[[nodiscard]] double median(std::vector<double> values);
//! CPU seconds the whole machine has spent busy since boot (/proc/stat: user, nice, system, irq,
//! softirq, steal), every process and the kernel together: the difference across a run is the
//! work the run cost, whoever did it (servers, tools, kernel threads).
[[nodiscard]] double machine_busy_seconds();
//! machine_busy_seconds() now minus `busy_before`, to the clock tick.
[[nodiscard]] double cpu_seconds_since(double busy_before);

//! Runs `body`, turning a Failure into "<name>: why" on stderr and exit code 1.
int bench_main(const char* name, const std::function<int()>& body);

}  // namespace pgflip::bench
