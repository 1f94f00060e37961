// Time and randomness for the cutover state machine, injected so that its unit tests decide
// budgets, deadlines and tokens exactly (a fake clock advances only when a test says so).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include "pg/connection.hpp"

namespace pgflip::cutover {

using pg::Deadline;
using std::chrono::milliseconds;
using TimePoint = pg::Clock::time_point;

//! The cutover's source of time and randomness.
class Clock {
  public:
    virtual ~Clock() = default;
    //! Monotonic now, on the same scale as pg::Deadline.
    [[nodiscard]] virtual TimePoint now() = 0;
    //! Waits (or, for a fake clock, advances time).
    virtual void sleep_for(std::chrono::microseconds duration) = 0;
    //! 64 random bits (run ids, sentinel tokens).
    [[nodiscard]] virtual std::uint64_t random() = 0;
};

//! The real steady clock and a random device.
class SystemClock final : public Clock {
  public:
    [[nodiscard]] TimePoint now() override;
    void sleep_for(std::chrono::microseconds duration) override;
    [[nodiscard]] std::uint64_t random() override;
};

//! Whole milliseconds from `from` to `to` (negative when `to` is earlier).
[[nodiscard]] long long ms_between(TimePoint from, TimePoint to);
//! Milliseconds with a fraction, for step timings under one millisecond.
[[nodiscard]] double fractional_ms_between(TimePoint from, TimePoint to);
//! 16 hex digits from the clock's randomness, e.g. for a sentinel token.
[[nodiscard]] std::string random_token(Clock& clock);

}  // namespace pgflip::cutover
