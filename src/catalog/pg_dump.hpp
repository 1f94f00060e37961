// Which pg_dump can dump blue for green: pg_dump reads servers up to its own major version, and
// its output is meant for a server of its own major, so the best one matches green's major and
// none older than blue's will do. Shared by check (is there one?) and setup (run it); finding
// and probing the binaries is common/pg_tools'.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/pg_tools.hpp"

namespace pgflip::catalog {

//! One pg_dump binary and the version it reports.
using PgDump = PgTool;

//! The configured pg_dump alone when `configured` is set; else every one in
//! /usr/lib/postgresql/*/bin and on PATH, each asked for --version (unusable ones skipped).
[[nodiscard]] std::vector<PgDump> find_pg_dumps(const std::string& configured);

//! The best of `found` for dumping blue and restoring into green: green's major if present,
//! else the newest not newer than green, else the oldest newer than green; never one older
//! than blue.
[[nodiscard]] std::optional<PgDump> choose_pg_dump(const std::vector<PgDump>& found, int blue_major,
                                                   int green_major);

}  // namespace pgflip::catalog
