#include "catalog/servers.hpp"

#include <future>

#include "sql/queries.hpp"

namespace pgflip::catalog {

Result<pg::Connection> connect_side(const std::string& conninfo, Side side, pg::Deadline deadline) {
    auto info = pg::Conninfo::parse(conninfo, side);
    if (!info.ok()) return info.take_error();
    return pg::Connection::connect(*info, side, deadline);
}

Result<ServerInfo> describe(pg::Connection& conn) {
    auto rows = conn.query(sql::catalog_server_info);
    if (!rows.ok()) return rows.take_error();
    ServerInfo info;
    info.version_num = static_cast<int>(rows->num(0, 0));
    info.version = rows->str(0, 1);
    info.system_identifier = rows->str(0, 2);
    info.database = rows->str(0, 3);
    info.superuser = rows->boolean(0, 4);
    return info;
}

Result<Servers> connect_servers(const config::Config& config, pg::Deadline deadline) {
    PGFLIP_TRY(config::require_servers(config));
    auto green_future = std::async(
        std::launch::async, [&] { return connect_side(config.green, Side::green, deadline); });
    auto blue = connect_side(config.blue, Side::blue, deadline);
    auto green = green_future.get();
    if (!blue.ok()) return blue.take_error();
    if (!green.ok()) return green.take_error();
    auto bi = describe(*blue);
    if (!bi.ok()) return bi.take_error();
    auto gi = describe(*green);
    if (!gi.ok()) return gi.take_error();
    if (bi->system_identifier == gi->system_identifier) {
        return make_error(
            Side::green,
            "blue and green are the same server (system identifier " + bi->system_identifier + ")",
            "point green at the new server, not at blue");
    }
    if (gi->major() < bi->major()) {
        return make_error(
            Side::green,
            "green runs PostgreSQL " + gi->version + ", older than blue's " + bi->version,
            "green must run the same or a newer major version than blue");
    }
    return Servers{std::move(blue).value(), std::move(green).value(), std::move(bi).value(),
                   std::move(gi).value()};
}

}  // namespace pgflip::catalog
