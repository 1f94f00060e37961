#include "support/harness.hpp"

#include <algorithm>
#include <cstdio>

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

int bench_main(const char* name, const std::function<int()>& body) {
    try {
        return body();
    } catch (const Failure& f) {
        std::fprintf(stderr, "%s: %s\n", name, f.what());
        return 1;
    }
}

}  // namespace pgflip::bench
