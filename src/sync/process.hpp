// Running PostgreSQL client programs (pg_dump, pg_restore, pg_dumpall) for setup: no shell, the
// password only in the child's environment (never on its command line), output captured, a
// deadline, and the child killed with pgflip so a killed setup leaves no restore running on.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "pg/connection.hpp"

namespace pgflip::sync {

//! One program to run: argv[0] is `path`.
struct Program {
    std::string path;
    std::vector<std::string> args;
    std::map<std::string, std::string> env;  //!< added to (or replacing in) our environment
    bool capture_stdout = false;             //!< else stdout goes to /dev/null
};

struct ProgramResult {
    int exit_code = 0;
    std::string out;  //!< stdout, when captured
    std::string err;  //!< stderr, always captured
};

//! Runs `program` to its end or the deadline (then kills it). A failure to start is an Error;
//! a non-zero exit is not (the caller reads exit_code and err).
Result<ProgramResult> run_program(const Program& program, Side side, pg::Deadline deadline);

//! How a child program connects: the conninfo without its password, and the environment that
//! carries the password (PGPASSWORD) and names the session (PGAPPNAME).
struct ChildConnection {
    std::string dsn;
    std::map<std::string, std::string> env;
};
[[nodiscard]] ChildConnection child_connection(const pg::Conninfo& info,
                                               const std::string& application_name);

//! The last non-empty lines of a program's stderr, joined by " | ", for one-line errors.
[[nodiscard]] std::string stderr_tail(const std::string& err, int lines = 4);

}  // namespace pgflip::sync
