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

}  // namespace pgflip::pooler
