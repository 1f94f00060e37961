#include "cutover/catch_up.hpp"

#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {
constexpr auto kPollInterval = std::chrono::microseconds(1000);
}

Status write_sentinel(pg::Connection& origin, const std::string& token, const std::string& kind,
                      Deadline deadline) {
    auto rows = origin.query(sql::cutover_sentinel_insert, {token, kind}, deadline);
    if (!rows.ok()) return rows.take_error();
    return {};
}

Result<int> wait_for_sentinel(pg::Connection& destination, const std::string& token, Clock& clock,
                              Deadline deadline) {
    for (int polls = 1;; ++polls) {
        auto rows = destination.query(sql::cutover_sentinel_seen, {token}, deadline);
        if (!rows.ok()) return rows.take_error();
        if (rows->boolean(0, 0)) return polls;
        if (clock.now() >= deadline) {
            Error e = make_error(destination.side(),
                                 "the sentinel did not arrive before the deadline (" +
                                     std::to_string(polls) + " polls)",
                                 "is the subscription's apply worker running? look at "
                                 "pg_stat_subscription and the server log");
            e.sqlstate = "57014";
            return e;
        }
        clock.sleep_for(kPollInterval);
    }
}

Result<double> measure_catch_up(pg::Connection& origin, pg::Connection& destination, Clock& clock,
                                Deadline deadline) {
    const std::string token = random_token(clock);
    const TimePoint start = clock.now();
    PGFLIP_TRY(write_sentinel(origin, token, "probe", deadline));
    auto polls = wait_for_sentinel(destination, token, clock, deadline);
    if (!polls.ok()) return polls.take_error();
    return fractional_ms_between(start, clock.now());
}

}  // namespace pgflip::cutover
