// Where shadow's executions come from: a queries file (docs/SHADOW.md) or a PostgreSQL log with
// statements and their bind parameters (stderr or csvlog format, log_min_duration_statement = 0
// or log_statement = 'all').
//
// A queries file is SQL statements separated by ; and, after a statement, any number of
// comment lines in the format PostgreSQL logs parameters with, each one execution:
//     SELECT * FROM accounts WHERE id = $1 AND region = $2;
//     -- parameters: $1 = '42', $2 = 'eu'
//     -- parameters: $1 = '43', $2 = NULL
// A statement without such a line runs once, without parameters.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "pg/connection.hpp"

namespace pgflip::shadow {

//! One statement to replay, with its parameters.
struct Execution {
    std::string sql;
    pg::Params params;
    std::string origin;  //!< "queries.sql:12" or "postgresql.log:4711", for reports
};

//! Parses "$1 = '42', $2 = NULL" (quotes doubled inside values); nullopt when malformed.
[[nodiscard]] std::optional<pg::Params> parse_parameters(std::string_view text);
//! "$1 = '42', $2 = NULL": parameters the way the log and the queries file write them.
[[nodiscard]] std::string format_parameters(const pg::Params& params);

//! The executions of a queries file's text; `name` prefixes the origins.
Result<std::vector<Execution>> parse_queries(std::string_view text, const std::string& name);

//! The statements a PostgreSQL stderr log records, with the parameters of each execute.
[[nodiscard]] std::vector<Execution> parse_stderr_log(std::string_view text,
                                                      const std::string& name);
//! The same from a csvlog; only rows of `database` when it is not empty.
Result<std::vector<Execution>> parse_csv_log(std::string_view text, const std::string& name,
                                             const std::string& database);
//! Picks the format: csvlog when the first record is a CSV row of a log, else stderr.
[[nodiscard]] bool looks_like_csv_log(std::string_view text);

//! Reads a file, or an Error naming it.
Result<std::string> read_file(const std::string& path);

}  // namespace pgflip::shadow
