// The SQL verify runs on a table, built from the .sql templates under verify/sql and the names
// the server quoted (tables.sql). Nothing here talks to a server, so all of it is unit-tested.
//
// The row hash: hash_record_extended(ROW(c1, c2, ...), 0), where each column enters either as
// itself (its type's extended hash function: cheap, and stable across major versions because hash
// partitions survive pg_upgrade) or as its text under the pinned session settings (enums, whose
// hash would be their OID; composites, json and types without a hash function). Collatable values
// are hashed under COLLATE "C", so a case-insensitive collation cannot hide a difference. The hash
// is seeded with the row's key, so that a bucket's sum depends on which values share a row.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "verify/model.hpp"

namespace pgflip::verify {

enum class HashInput {
    native,  //!< the type's own extended hash (equal values hash equal, as with its = operator)
    text     //!< the text output under pinned settings
};

//! How a column enters the row hash.
[[nodiscard]] HashInput hash_input(const Column& column);
//! The column's term in ROW(...) of the row hash, e.g. t."name" COLLATE "C" or t."m"::text.
[[nodiscard]] std::string column_hash_term(const Column& column);
//! A 64-bit hash of the given columns (bigint) under `seed`; 0 for a table without columns.
[[nodiscard]] std::string row_hash_expr(const std::vector<Column>& columns,
                                        const std::string& seed);
//! The row hash of a table's rows. Seeded with the row's key: hash_record_extended combines its
//! columns' hashes linearly, so unseeded a bucket's sum would only see each column's multiset of
//! values and miss values swapped between rows; seeded, every column's hash depends on the row.
[[nodiscard]] std::string row_hash_expr(const Table& table);
//! The seed: an integer key itself, else the key's hash; 0 without a key.
[[nodiscard]] std::string row_seed_expr(const Table& table);
//! The hash of the key columns (to split one key range into sub-buckets).
[[nodiscard]] std::string key_hash_expr(const Table& table);
//! The second summary of a bucket: bit_xor of the row hashes for a table without a key (its
//! rows cannot be seeded), a constant otherwise.
[[nodiscard]] std::string hash_xor_expr(const Table& table);

//! Replaces each {{name}} of `tmpl`. Values must be quoted already (server-quoted names).
[[nodiscard]] std::string render(std::string_view tmpl,
                                 const std::map<std::string, std::string>& values);

//! A range of the leading key column: [lower, upper), either end open when absent.
struct KeyRange {
    std::optional<std::string> lower;  //!< inclusive, as text
    std::optional<std::string> upper;  //!< exclusive, as text
};

//! A WHERE condition with its parameters (numbered from the first_param given).
struct Condition {
    std::string sql;
    std::vector<std::string> params;
};

//! `t.key >= $n::type AND t.key < $m::type`; "true" for an unbounded range.
[[nodiscard]] Condition range_condition(const Table& table, const KeyRange& range, int first_param);
//! The condition for sub-buckets `buckets` of the key hash under `mask`, ANDed to `base`.
[[nodiscard]] Condition sub_bucket_condition(const Table& table, Condition base, long long mask,
                                             const std::vector<long long>& buckets);

//! Pass 1 of a table that is one bucket.
[[nodiscard]] std::string table_sums_sql(const Table& table);
//! Pass 1 by ranges of the leading key column ($1: boundaries).
[[nodiscard]] std::string range_sums_sql(const Table& table);
//! Bucket sums by row hash (tables without a key) or by key hash within `where` ($1: mask).
[[nodiscard]] std::string hash_sums_sql(const Table& table, bool by_key, const Condition& where);
//! Range boundaries from a sample ($1: fractions, $2: sample percentage).
[[nodiscard]] std::string sample_bounds_sql(const Table& table);
//! Key texts, row hash and version of the rows matching `where`.
[[nodiscard]] std::string rows_where_sql(const Table& table, const Condition& where);
//! Key texts, row hash and version of rows looked up by key ($1..: one text[] per key column).
[[nodiscard]] std::string rows_by_key_sql(const Table& table);
//! Key texts and every column as text, by key ($1..: one text[] per key column).
[[nodiscard]] std::string values_by_key_sql(const Table& table);
//! Row hash and multiplicity of the rows in some hash buckets ($1: mask, $2: buckets).
[[nodiscard]] std::string keyless_hashes_sql(const Table& table);
//! Row hash and every column as text for rows with the given hashes ($1: hashes).
[[nodiscard]] std::string keyless_values_sql(const Table& table);

}  // namespace pgflip::verify
