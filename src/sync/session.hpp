// Sessions setup opens on blue and green: named "pgflip setup <migration> <role>" (so a resumed
// setup can end the sessions a killed one of the same migration left behind, and no other's),
// with pinned settings, and on blue optionally inside the copy snapshot.
#pragma once

#include <string>

#include "pg/connection.hpp"

namespace pgflip::sync {

//! Names the sessions opened with `info` after migration `name`: "pgflip setup <name>".
void name_sessions(pg::Conninfo& info, const std::string& name);
//! "pgflip setup <name>", as name_sessions set it on `info`.
[[nodiscard]] std::string session_prefix(const pg::Conninfo& info);
//! "pgflip setup <name> <role>".
[[nodiscard]] std::string session_name(const pg::Conninfo& info, const std::string& role);

//! Connects as session_name(info, role) and pins the session settings (the client encoding is
//! UTF8, as in every pgflip session: pg::Connection::connect).
Result<pg::Connection> open_session(const pg::Conninfo& info, Side side, const std::string& role,
                                    pg::Deadline deadline);
//! Starts a read-only repeatable-read transaction on blue that imports `snapshot`.
Status enter_snapshot(pg::Connection& blue, const std::string& snapshot, pg::Deadline deadline);
//! Runs a statement whose rows do not matter.
Status exec(pg::Connection& conn, std::string_view sql, pg::Deadline deadline);
Status exec(pg::Connection& conn, std::string_view sql, const pg::Params& params,
            pg::Deadline deadline);

}  // namespace pgflip::sync
