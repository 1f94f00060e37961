#include "support/harness.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>

namespace pgflip::bench {

void die(const std::string& why) {
    throw Failure(why);
}

void must(const Status& s) {
    if (!s.ok()) die(s.error().str());
}

pg::Connection connect(const std::string& conninfo) {
    auto info = must(pg::Conninfo::parse(conninfo, Side::local));
    return must(pg::Connection::connect(info, Side::local, pg::after(pg::milliseconds(30000))));
}

pg::Rows run_sql(pg::Connection& conn, const std::string& sql, const pg::Params& params) {
    const auto deadline = pg::after(pg::milliseconds(4LL * 3600 * 1000));
    auto r = params.empty() ? conn.query(sql, deadline) : conn.query(sql, params, deadline);
    if (!r.ok()) die(r.error().str());
    return std::move(r).value();
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

double median(std::vector<double> values) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    const size_t n = values.size();
    return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double machine_busy_seconds() {
    std::ifstream stat("/proc/stat");
    std::string cpu;
    unsigned long long user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0,
                       steal = 0;
    if (!(stat >> cpu >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
        cpu != "cpu") {
        die("cannot read the CPU counters in /proc/stat");
    }
    const auto busy = user + nice + system + irq + softirq + steal;
    return static_cast<double>(busy) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double cpu_seconds_since(double busy_before) {
    // Whole clock ticks (1/100 s) apart: rounded, so that 18.7 prints as 18.7.
    return std::round((machine_busy_seconds() - busy_before) * 100) / 100;
}

int bench_main(const char* name, const std::function<int()>& body) {
    try {
        return body();
    } catch (const Failure& f) {
        std::fprintf(stderr, "%s: %s\n", name, f.what());
        return 1;
    }
}

}  // namespace pgflip::bench
