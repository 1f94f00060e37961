#include "sync/session.hpp"

#include "sql/queries.hpp"

namespace pgflip::sync {

Status exec(pg::Connection& conn, std::string_view sql, pg::Deadline deadline) {
    auto rows = conn.query(sql, deadline);
    if (!rows) return rows.take_error();
    return {};
}

Status exec(pg::Connection& conn, std::string_view sql, const pg::Params& params,
            pg::Deadline deadline) {
    auto rows = conn.query(sql, params, deadline);
    if (!rows) return rows.take_error();
    return {};
}

void name_sessions(pg::Conninfo& info, const std::string& name) {
    info.set("application_name", "pgflip setup " + name);
}

std::string session_prefix(const pg::Conninfo& info) {
    return info.get("application_name", "pgflip setup");
}

std::string session_name(const pg::Conninfo& info, const std::string& role) {
    return session_prefix(info) + " " + role;
}

Result<pg::Connection> open_session(const pg::Conninfo& info, Side side, const std::string& role,
                                    pg::Deadline deadline) {
    pg::Conninfo named = info;
    named.set("application_name", session_name(info, role));
    auto conn = pg::Connection::connect(named, side, deadline);
    if (!conn) return conn.take_error();
    PGFLIP_TRY(exec(*conn, sql::sync_session_pin, deadline));
    if (side == Side::green) PGFLIP_TRY(exec(*conn, sql::sync_session_green, deadline));
    return conn;
}

Status enter_snapshot(pg::Connection& blue, const std::string& snapshot, pg::Deadline deadline) {
    PGFLIP_TRY(exec(blue, sql::sync_snapshot_begin, deadline));
    // SET TRANSACTION SNAPSHOT takes no parameters: the id goes in as a libpq-quoted literal.
    return exec(blue, "SET TRANSACTION SNAPSHOT " + blue.quote_literal(snapshot), deadline);
}

}  // namespace pgflip::sync
