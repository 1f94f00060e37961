// The copy plan: which tables, which columns, binary or text, and how each table is cut into
// work items. Large tables are cut into heap block ranges (TID range scans, PG 14+), sized by
// heap and (weighted) TOAST bytes, so that one huge table keeps every worker busy; largest work
// first.
#pragma once

#include <vector>

#include "pg/connection.hpp"
#include "sync/state.hpp"

namespace pgflip::sync {

//! Heap blocks [first, end); end -1 is open-ended (to the end of the table, however it grew).
struct BlockRange {
    long long first = 0;
    long long end = -1;
};

//! The work a table is planned as: heap bytes plus TOAST bytes weighted for their extra cost.
[[nodiscard]] long long work_bytes(const TablePlan& table);

//! Cuts `blocks` heap blocks holding `bytes` of work into ranges of about `chunk_bytes`.
//! One open range when the table is small; the last range is always open-ended.
[[nodiscard]] std::vector<BlockRange> split_blocks(long long blocks, long long bytes,
                                                   long long chunk_bytes);

//! Chunk size: `requested` when positive, else an eighth of each worker's share of
//! `total_bytes`, between 16 MiB and 1 GiB (small items keep the end of the copy short).
[[nodiscard]] long long choose_chunk_bytes(long long total_bytes, int jobs, long long requested);

//! Reads tables and columns on `blue` (inside the copy snapshot) and green's column types, and
//! plans the work.
Result<Plan> make_plan(pg::Connection& blue, pg::Connection& green, int jobs,
                       long long requested_chunk_bytes, pg::Deadline deadline);

//! `COPY ... TO STDOUT` for one item on blue.
[[nodiscard]] std::string copy_out_sql(const pg::Connection& blue, const TablePlan& table,
                                       const ItemPlan& item);
//! `COPY ... FROM STDIN` for the item's table on green.
[[nodiscard]] std::string copy_in_sql(const pg::Connection& green, const TablePlan& table);
//! "schema"."name", quoted.
[[nodiscard]] std::string qualified(const pg::Connection& conn, const std::string& schema,
                                    const std::string& name);

}  // namespace pgflip::sync
