// Which pg_dump can dump blue for green: pg_dump reads servers up to its own major version, and
// its output is meant for a server of its own major, so the best one matches green's major and
// none older than blue's will do. Shared by check (is there one?) and setup (run it).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgflip::catalog {

//! One pg_dump binary and the version it reports.
struct PgDump {
    std::string path;
    int major = 0;
    std::string version;  //!< e.g. "15.20"
};

//! The configured pg_dump alone when `configured` is set; else every one in
//! /usr/lib/postgresql/*/bin and on PATH, each asked for --version (unusable ones skipped).
[[nodiscard]] std::vector<PgDump> find_pg_dumps(const std::string& configured);

//! Parses `pg_dump --version` output: "pg_dump (PostgreSQL) 15.20 (Debian ...)".
[[nodiscard]] std::optional<PgDump> parse_pg_dump_version(const std::string& path,
                                                          const std::string& output);

//! The best of `found` for dumping blue and restoring into green: green's major if present,
//! else the newest not newer than green, else the oldest newer than green; never one older
//! than blue.
[[nodiscard]] std::optional<PgDump> choose_pg_dump(const std::vector<PgDump>& found, int blue_major,
                                                   int green_major);

}  // namespace pgflip::catalog
