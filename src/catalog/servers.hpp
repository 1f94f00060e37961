// Blue and green connected and checked as a pair: reachable, distinct servers, green not older.
#pragma once

#include <string>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::catalog {

//! What every command needs to know about one server right after connecting.
struct ServerInfo {
    int version_num = 0;  //!< server_version_num, e.g. 160004
    std::string version;  //!< server_version text
    std::string system_identifier;
    std::string database;
    bool superuser = false;
    [[nodiscard]] int major() const { return version_num / 10000; }
};

struct Servers {
    pg::Connection blue;
    pg::Connection green;
    ServerInfo blue_info;
    ServerInfo green_info;
};

//! One server, connected and described.
struct Connected {
    pg::Connection conn;
    ServerInfo info;
};

//! Each side on its own: a side that cannot be reached does not hide the other.
struct Sides {
    Result<Connected> blue;
    Result<Connected> green;
};

//! Reads server facts over an open connection.
Result<ServerInfo> describe(pg::Connection& conn);
//! Connects to one side from its conninfo text.
Result<pg::Connection> connect_side(const std::string& conninfo, Side side, pg::Deadline deadline);
//! Connects to one side and describes it.
Result<Connected> connect_described(const std::string& conninfo, Side side, pg::Deadline deadline);
//! Connects to both, in parallel, each with its own outcome (no pair checks).
[[nodiscard]] Sides connect_each(const config::Config& config, pg::Deadline deadline);
//! Refuses pairs a migration cannot use: one server twice, or green older than blue.
Status check_pair(const ServerInfo& blue, const ServerInfo& green);
//! Connects to both, in parallel, and refuses pairs a migration cannot use.
Result<Servers> connect_servers(const config::Config& config, pg::Deadline deadline);

}  // namespace pgflip::catalog
