// The schema, by pg_dump: one schema-only archive taken under the copy's snapshot (so schema and
// rows agree), restored in two halves. Pre-data (types, tables, ...) in one transaction before
// the copy (as one transaction with pgflip's own objects); post-data (indexes, constraints,
// triggers) after it with pg_restore -j, minus the foreign keys, which setup adds itself (NOT
// VALID, then VALIDATE: no long lock). pgflip's own schema and publications/subscriptions are left
// out of the archive.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "sync/tools.hpp"

namespace pgflip::sync {

namespace fs = std::filesystem;

//! One line of `pg_restore -l`: "<dump id>; <catalog oid> <object oid> <TYPE> <schema> <tag> ...".
struct TocEntry {
    int dump_id = 0;
    std::uint32_t catalog_oid = 0;
    std::uint32_t object_oid = 0;
    std::string description;  //!< the rest of the line, from the type on
    std::string line;         //!< the whole line, for a -L list
    [[nodiscard]] bool is_foreign_key() const;
    //! pgflip's own event triggers on blue (pgflip_ddl_*): database-level, so --exclude-schema
    //! keeps them in the dump; restored on green they would call a function that is not there.
    [[nodiscard]] bool is_pgflip_event_trigger() const;
    //! An index of one table (not a partition attachment) or its primary key, unique or
    //! exclusion constraint: what can be built as soon as that table's rows are on green.
    [[nodiscard]] bool is_table_index() const;
};

//! Parses `pg_restore -l` output; comment lines are skipped.
[[nodiscard]] std::vector<TocEntry> parse_toc(std::string_view list);

//! pg_dump --schema-only -Fc of blue under `snapshot` into `file`.
Status dump_schema(const Tools& tools, const pg::Conninfo& blue, const std::string& snapshot,
                   const fs::path& file, pg::Deadline deadline);
//! The pre-data section as SQL (pg_restore -f -) without psql's \restrict lines, for setup to
//! run in one transaction together with its own objects: then green has all of it or none.
Result<std::string> pre_data_script(const Tools& tools, const fs::path& file,
                                    pg::Deadline deadline);
//! The post-data entries of the archive, foreign keys excluded.
Result<std::vector<TocEntry>> post_data_entries(const Tools& tools, const fs::path& file,
                                                pg::Deadline deadline);
//! Drops the entries whose object green already has (after a crash during post-data): each is
//! named on blue by its oid and looked up on green by that portable address.
Result<std::vector<TocEntry>> missing_on_green(std::vector<TocEntry> entries, pg::Connection& blue,
                                               pg::Connection& green, pg::Deadline deadline);
//! pg_restore -j `jobs` of exactly `entries` into green (list written to `list_file`).
Status restore_entries(const Tools& tools, const pg::Conninfo& green, const fs::path& file,
                       const std::vector<TocEntry>& entries, const fs::path& list_file, int jobs,
                       pg::Deadline deadline);

}  // namespace pgflip::sync
