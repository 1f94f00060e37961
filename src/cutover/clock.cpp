#include "cutover/clock.hpp"

#include <cstdio>
#include <random>
#include <thread>

namespace pgflip::cutover {

TimePoint SystemClock::now() {
    return pg::Clock::now();
}

void SystemClock::sleep_for(std::chrono::microseconds duration) {
    std::this_thread::sleep_for(duration);
}

std::uint64_t SystemClock::random() {
    static thread_local std::mt19937_64 engine{std::random_device{}()};
    return engine();
}

long long ms_between(TimePoint from, TimePoint to) {
    return std::chrono::duration_cast<milliseconds>(to - from).count();
}

double fractional_ms_between(TimePoint from, TimePoint to) {
    return std::chrono::duration<double, std::milli>(to - from).count();
}

std::string random_token(Clock& clock) {
    char buf[17];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(clock.random()));
    return buf;
}

}  // namespace pgflip::cutover
