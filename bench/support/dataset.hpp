// The ~1 GB benchmark database that bench/copy and bench/verify share (DESIGN.md §6): one large
// orders-like table (key, external uuid, account, e-mail and time indexes; numeric, float8 and
// enum columns), one wide jsonb table whose documents are TOASTed, and a hundred small tables
// with a secondary index each. `gb` scales every row count.
#pragma once

#include <string>

namespace pgflip::bench {

//! The enum type and the tables, without secondary indexes.
[[nodiscard]] std::string dataset_tables_sql();
//! The rows, `gb` times about 1 GB of tables.
[[nodiscard]] std::string dataset_rows_sql(double gb);
//! The secondary indexes (every table has its primary key from dataset_tables_sql()).
[[nodiscard]] std::string dataset_indexes_sql();

}  // namespace pgflip::bench
