// Finding PostgreSQL client programs (pg_dump, pgbench, ...) installed on this machine: every
// copy of a program in Debian's versioned directories and on PATH, each asked for its version.
// The one place that probes them; what to choose among them is the caller's (catalog/pg_dump).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgflip {

//! One client program and the version it reports.
struct PgTool {
    std::string path;
    int major = 0;
    std::string version;  //!< e.g. "15.20", "18beta1"
};

//! Parses `<name> --version` output, e.g. "pg_dump (PostgreSQL) 15.20 (Debian ...)"; nothing
//! when it is not `name`'s.
[[nodiscard]] std::optional<PgTool> parse_pg_tool_version(const std::string& name,
                                                          const std::string& path,
                                                          const std::string& output);

//! `configured` alone when it is set; else every `name` in /usr/lib/postgresql/*/bin (in order)
//! then on PATH, each file once. Each is asked for --version; those that do not answer are left
//! out.
[[nodiscard]] std::vector<PgTool> find_pg_tools(const std::string& name,
                                                const std::string& configured = {});

//! The newest of `found` whose major version is at least `min_major` (the first of equals).
[[nodiscard]] std::optional<PgTool> newest_pg_tool(const std::vector<PgTool>& found,
                                                   int min_major = 0);

//! The newest `name` installed whose major version is at least `min_major`.
[[nodiscard]] std::optional<PgTool> find_pg_tool(const std::string& name, int min_major = 0);

}  // namespace pgflip
