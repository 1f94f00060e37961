#include "verify/buckets.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pg/array.hpp"

namespace pgflip::verify {

namespace {

constexpr int max_buckets = 20000;
constexpr long long page_size = 8192;
constexpr long long sampled_rows_per_bucket = 30;
constexpr long long sampled_pages_per_bucket = 2;
constexpr long long min_sampled_pages = 16;  // so that a sample is never empty by chance

//! Rows the table probably holds: the planner's estimate, else a guess from its size.
long long estimated_rows(const Table& table) {
    if (table.reltuples >= 0) return table.reltuples;
    constexpr long long assumed_row_bytes = 64;  // errs towards more, smaller buckets
    return table.bytes / assumed_row_bytes;
}

Result<std::vector<std::string>> sample_bounds(pg::Connection& blue, const Table& table,
                                               int buckets, pg::Deadline deadline) {
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.6f", sample_percent(table, buckets));
    auto rows =
        blue.query(sample_bounds_sql(table), {quantile_fractions(buckets), percent}, deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<std::string> bounds;
    for (int r = 0; r < rows->size(); ++r) bounds.push_back(rows->str(r, 0));
    return bounds;
}

}  // namespace

int Split::buckets() const {
    switch (kind) {
        case Kind::key_ranges:
            return static_cast<int>(bounds.size()) + 1;
        case Kind::row_hash:
            return static_cast<int>(mask + 1);
        case Kind::one_bucket:
            break;
    }
    return 1;
}

std::string Split::describe() const {
    switch (kind) {
        case Kind::key_ranges:
            return std::to_string(buckets()) + " key ranges";
        case Kind::row_hash:
            return std::to_string(buckets()) + " row-hash buckets";
        case Kind::one_bucket:
            break;
    }
    return "one bucket";
}

int bucket_target(const Table& table) {
    const long long rows = estimated_rows(table);
    const long long buckets = (rows + rows_per_bucket - 1) / rows_per_bucket;
    return static_cast<int>(std::clamp<long long>(buckets, 1, max_buckets));
}

long long hash_mask(long long rows, long long per_bucket) {
    long long buckets = 1;
    while (buckets * per_bucket < rows && buckets < (1LL << 16)) buckets *= 2;
    return buckets - 1;
}

double sample_percent(const Table& table, int buckets) {
    const double rows = static_cast<double>(std::max<long long>(estimated_rows(table), 1));
    const double pages = static_cast<double>(std::max<long long>(table.bytes / page_size, 1));
    const double by_rows = 100.0 * static_cast<double>(sampled_rows_per_bucket * buckets) / rows;
    const double by_pages =
        100.0 *
        static_cast<double>(std::max(sampled_pages_per_bucket * buckets, min_sampled_pages)) /
        pages;
    return std::clamp(std::max(by_rows, by_pages), 0.0001, 100.0);
}

std::string quantile_fractions(int buckets) {
    std::string out = "{";
    for (int i = 1; i < buckets; ++i) {
        char item[32];
        std::snprintf(item, sizeof item, "%.17g", static_cast<double>(i) / buckets);
        if (i > 1) out += ',';
        out += item;
    }
    return out + "}";
}

KeyRange range_of(const std::vector<std::string>& bounds, long long bucket) {
    KeyRange range;
    const auto n = static_cast<long long>(bounds.size());
    if (bucket > 0 && bucket <= n) range.lower = bounds[static_cast<size_t>(bucket - 1)];
    if (bucket >= 0 && bucket < n) range.upper = bounds[static_cast<size_t>(bucket)];
    return range;
}

Result<Split> plan_split(pg::Connection& blue, const Table& table, pg::Deadline deadline) {
    Split split;
    const int target = bucket_target(table);
    if (target <= 1) return split;
    if (table.key().empty()) {
        split.kind = Split::Kind::row_hash;
        split.mask = hash_mask(estimated_rows(table), rows_per_bucket);
        return split;
    }
    auto bounds = sample_bounds(blue, table, target, deadline);
    if (!bounds.ok()) return bounds.take_error();
    if (bounds->empty()) return split;
    split.kind = Split::Kind::key_ranges;
    split.bounds = std::move(bounds).value();
    return split;
}

SumsQuery pass1_query(const Table& table, const Split& split) {
    switch (split.kind) {
        case Split::Kind::key_ranges:
            return {range_sums_sql(table), {pg::array_literal(split.bounds)}};
        case Split::Kind::row_hash:
            return {hash_sums_sql(table, false, Condition{"true", {}}),
                    {std::to_string(split.mask)}};
        case Split::Kind::one_bucket:
            break;
    }
    return {table_sums_sql(table), {}};
}

Result<BucketSums> read_sums(pg::Connection& conn, const SumsQuery& query, pg::Deadline deadline) {
    auto rows = conn.query(query.sql, query.params, deadline);
    if (!rows.ok()) return rows.take_error();
    BucketSums sums;
    for (int r = 0; r < rows->size(); ++r) {
        BucketSum s{rows->num(r, 1), rows->str(r, 2), rows->str(r, 3)};
        if (s.rows > 0) sums[rows->num(r, 0)] = std::move(s);
    }
    return sums;
}

std::vector<long long> mismatched(const BucketSums& blue, const BucketSums& green) {
    std::vector<long long> out;
    for (const auto& [bucket, sum] : blue) {
        auto it = green.find(bucket);
        if (it == green.end() || !(it->second == sum)) out.push_back(bucket);
    }
    for (const auto& [bucket, sum] : green) {
        if (blue.count(bucket) == 0) out.push_back(bucket);
    }
    std::sort(out.begin(), out.end());
    return out;
}

long long total_rows(const BucketSums& sums) {
    long long n = 0;
    for (const auto& [bucket, sum] : sums) n += sum.rows;
    return n;
}

}  // namespace pgflip::verify
