// PgBouncer's admin console: connecting to it and the commands the flip uses (simple query
// protocol only: the console speaks nothing else).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::pooler {

//! Connects to a pooler's admin console and proves it answers (SHOW VERSION).
Result<pg::Connection> connect_admin(const config::Pooler& pooler, pg::Deadline deadline);

//! SHOW CONFIG as name -> value.
Result<std::map<std::string, std::string>> show_config(pg::Connection& admin,
                                                       pg::Deadline deadline);

//! One row of SHOW DATABASES.
struct DatabaseEntry {
    std::string name, host, port, database, pool_mode;
    bool paused = false;
    bool disabled = false;
};
Result<std::vector<DatabaseEntry>> show_databases(pg::Connection& admin, pg::Deadline deadline);

//! One row of SHOW SERVERS: a server connection PgBouncer holds. Measured on 1.18: local_addr
//! and local_port are the pooler's end of the TCP connection (what the server sees as
//! client_addr/client_port; "unix" for a socket) and remote_pid is the backend pid.
struct ServerEntry {
    std::string user, database, state, addr, port, local_addr, local_port, application_name;
    int remote_pid = 0;
};
Result<std::vector<ServerEntry>> show_servers(pg::Connection& admin, pg::Deadline deadline);

//! SHOW USERS as name -> pool_mode (empty when the user inherits the database's mode).
Result<std::map<std::string, std::string>> show_user_pool_modes(pg::Connection& admin,
                                                                pg::Deadline deadline);

}  // namespace pgflip::pooler
