// Pass 1 of the data comparison: every table cut into buckets (ranges of the leading key column,
// or row-hash buckets without a key), each summarized on both servers at once by count, sum and
// xor of the row hashes; one sequential scan per side. Buckets that disagree go to drill-down.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "verify/model.hpp"
#include "verify/sql_builder.hpp"

namespace pgflip::verify {

//! What a bucket holds, as the server summed it (sum and xor as text: sum is numeric).
struct BucketSum {
    long long rows = 0;
    std::string sum;
    std::string xor_;
    bool operator==(const BucketSum&) const = default;
};

using BucketSums = std::map<long long, BucketSum>;

//! How a table is split for pass 1.
struct Split {
    enum class Kind { one_bucket, key_ranges, row_hash } kind = Kind::one_bucket;
    std::vector<std::string>
        bounds;          //!< key_ranges: sorted boundaries (bucket i ends at bounds[i])
    long long mask = 0;  //!< row_hash: bucket = row hash & mask
    [[nodiscard]] int buckets() const;
    [[nodiscard]] std::string describe() const;
};

//! Rows a bucket should hold: drill-down fetches whole buckets, so they stay small.
inline constexpr long long rows_per_bucket = 20000;
//! A mismatching key range larger than this is split into key-hash sub-buckets first.
inline constexpr long long max_rows_to_fetch = 50000;

//! How many buckets a table of this size gets (1 for small tables).
[[nodiscard]] int bucket_target(const Table& table);
//! The smallest 2^k - 1 with (2^k) * per_bucket >= rows, for hash buckets; at least 0.
[[nodiscard]] long long hash_mask(long long rows, long long per_bucket);
//! The sample percentage that yields enough rows and pages for `buckets` quantiles.
[[nodiscard]] double sample_percent(const Table& table, int buckets);
//! "{0.25,0.5,0.75}" for 4 buckets.
[[nodiscard]] std::string quantile_fractions(int buckets);
//! The key range of bucket `bucket` of width_bucket over `bounds`.
[[nodiscard]] KeyRange range_of(const std::vector<std::string>& bounds, long long bucket);

//! Decides the split of one table, sampling blue for range boundaries when it is large.
Result<Split> plan_split(pg::Connection& blue, const Table& table, pg::Deadline deadline);

//! The SQL and parameters of pass 1 for one side.
struct SumsQuery {
    std::string sql;
    pg::Params params;
};
[[nodiscard]] SumsQuery pass1_query(const Table& table, const Split& split);

//! Runs a bucket-sums query (bucket, n, hash_sum, hash_xor).
Result<BucketSums> read_sums(pg::Connection& conn, const SumsQuery& query, pg::Deadline deadline);

//! Buckets whose summaries differ (present on one side only counts as differing).
[[nodiscard]] std::vector<long long> mismatched(const BucketSums& blue, const BucketSums& green);
[[nodiscard]] long long total_rows(const BucketSums& sums);

}  // namespace pgflip::verify
