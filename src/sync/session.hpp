// Sessions setup opens on blue and green: named "pgflip setup ..." (so a resumed setup can end
// the sessions a killed one left behind), with pinned settings, and on blue optionally inside
// the copy snapshot.
#pragma once

#include <string>

#include "pg/connection.hpp"

namespace pgflip::sync {

//! Connects as "pgflip setup <role>" and pins the session settings (the client encoding is
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
