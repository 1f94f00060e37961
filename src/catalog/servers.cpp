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

Result<Connected> connect_described(const std::string& conninfo, Side side, pg::Deadline deadline) {
    auto conn = connect_side(conninfo, side, deadline);
    if (!conn.ok()) return conn.take_error();
    auto info = describe(*conn);
    if (!info.ok()) return info.take_error();
    return Connected{std::move(conn).value(), std::move(info).value()};
}

Sides connect_each(const config::Config& config, pg::Deadline deadline) {
    auto green_future = std::async(
        std::launch::async, [&] { return connect_described(config.green, Side::green, deadline); });
    auto blue = connect_described(config.blue, Side::blue, deadline);
    return {std::move(blue), green_future.get()};
}

Status check_pair(const ServerInfo& blue, const ServerInfo& green) {
    if (blue.system_identifier == green.system_identifier) {
        return make_error(
            Side::green,
            "blue and green are the same server (system identifier " + blue.system_identifier + ")",
            "point green at the new server, not at blue");
    }
    if (green.major() < blue.major()) {
        return make_error(
            Side::green,
            "green runs PostgreSQL " + green.version + ", older than blue's " + blue.version,
            "green must run the same or a newer major version than blue");
    }
    return {};
}

Result<Servers> connect_servers(const config::Config& config, pg::Deadline deadline) {
    PGFLIP_TRY(config::require_servers(config));
    auto sides = connect_each(config, deadline);
    if (!sides.blue.ok()) return sides.blue.take_error();
    if (!sides.green.ok()) return sides.green.take_error();
    PGFLIP_TRY(check_pair(sides.blue->info, sides.green->info));
    return Servers{std::move(sides.blue->conn), std::move(sides.green->conn),
                   std::move(sides.blue->info), std::move(sides.green->info)};
}

}  // namespace pgflip::catalog
