// Finding PostgreSQL client programs (pg_dump, pgbench, ...) installed on this machine.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace pgflip {

struct PgTool {
    std::filesystem::path path;
    int major = 0;  //!< from `<tool> --version`
};

//! The newest `name` found in /usr/lib/postgresql/*/bin, the lab's builds, then PATH, whose
//! major version is at least `min_major`.
[[nodiscard]] std::optional<PgTool> find_pg_tool(const std::string& name, int min_major = 0);
//! The major version a PostgreSQL program reports with --version (0 if it does not run).
[[nodiscard]] int tool_major(const std::filesystem::path& program);

}  // namespace pgflip
