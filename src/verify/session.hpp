// verify's connections: one to blue and one to green, both with the same pinned session settings
// (verify/sql/pin_session.sql), and a way to run one query on both sides at once.
#pragma once

#include <future>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::verify {

//! Pins the session settings verify relies on (text forms, read-only, lock_timeout).
Status pin_session(pg::Connection& conn, pg::Deadline deadline);

//! A connection to each side, settings pinned.
struct SessionPair {
    pg::Connection blue;
    pg::Connection green;

    //! Connects to both (in parallel) and pins their settings.
    static Result<SessionPair> open(const config::Config& config, pg::Deadline deadline);
};

//! What one step returned on each side (R is a Result<...>).
template <class R>
struct Both {
    R blue;
    R green;
    //! The first error (blue's first), if any.
    [[nodiscard]] std::optional<Error> error() const {
        if (!blue.ok()) return blue.error();
        if (!green.ok()) return green.error();
        return std::nullopt;
    }
};

//! Runs `step(conn)` on blue (in a second thread) and on green (in this one) at the same time, so
//! that both servers scan together and the wall time is the slower side's.
template <class Step>
auto on_both(SessionPair& pair, Step step) -> Both<std::invoke_result_t<Step, pg::Connection&>> {
    auto blue = std::async(std::launch::async, [&] { return step(pair.blue); });
    auto green = step(pair.green);
    return {blue.get(), std::move(green)};
}

}  // namespace pgflip::verify
