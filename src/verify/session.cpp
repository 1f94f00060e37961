#include "verify/session.hpp"

#include "catalog/servers.hpp"
#include "sql/queries.hpp"

namespace pgflip::verify {

Status pin_session(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = conn.query(sql::verify_pin_session, {}, deadline);
    if (!rows.ok()) return rows.take_error();
    return {};
}

Result<SessionPair> SessionPair::open(const config::Config& config, pg::Deadline deadline) {
    auto green_future = std::async(std::launch::async, [&] {
        return catalog::connect_side(config.green, Side::green, deadline);
    });
    auto blue = catalog::connect_side(config.blue, Side::blue, deadline);
    auto green = green_future.get();
    if (!blue.ok()) return blue.take_error();
    if (!green.ok()) return green.take_error();
    PGFLIP_TRY(pin_session(*blue, deadline));
    PGFLIP_TRY(pin_session(*green, deadline));
    return SessionPair{std::move(blue).value(), std::move(green).value()};
}

}  // namespace pgflip::verify
