// How commands talk to people and machines: one-line errors on stderr (or JSON on stdout with
// --json), and whether stdout is a terminal (progress bars) or not (plain log lines).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "common/result.hpp"

namespace pgflip::cli {

//! Prints an error the way every command does and returns the exit code to use.
int report_error(const Error& error, bool json, int exit_code = 1);
//! Prints a JSON document on stdout.
void print_json(const nlohmann::json& doc);
//! The error as JSON: {"side", "message", "sqlstate", "pid", "fix"}.
[[nodiscard]] nlohmann::json error_json(const Error& error);
[[nodiscard]] bool stdout_is_terminal();

}  // namespace pgflip::cli
