#include "verify/rows.hpp"

#include <set>
#include <thread>

#include "pg/array.hpp"

namespace pgflip::verify {

namespace {

constexpr size_t keys_per_query = 5000;

const RowState* find(const RowMap& rows, const Key& key) {
    auto it = rows.find(key);
    return it == rows.end() ? nullptr : &it->second;
}

void merge(RowMap& into, RowMap&& from) {
    into.merge(from);
}

Result<RowMap> read_segments(pg::Connection& conn, const Table& table,
                             const std::vector<Segment>& segments, pg::Deadline deadline) {
    RowMap rows;
    const bool blue = conn.side() == Side::blue;
    for (const Segment& seg : segments) {
        const Condition& where = blue ? seg.blue : seg.green;
        pg::Params params(where.params.begin(), where.params.end());
        auto part =
            read_rows(conn, rows_where_sql(table, where), params, table.key().size(), deadline);
        if (!part.ok()) return part.take_error();
        merge(rows, std::move(part).value());
    }
    return rows;
}

//! Reads one side's rows with `read(conn, table)`; both at once when green does not replicate,
//! else blue, then green once it has applied what blue had, then blue's differing rows again.
template <class Read>
Result<RoundReads> read_round(SessionPair& pair, const TablePair& table, const Replication& rep,
                              Read read, const DrillOptions& options, pg::Deadline deadline) {
    if (!rep.live()) {
        auto both = on_both(pair, [&](pg::Connection& c) {
            return read(c, c.side() == Side::blue ? table.blue : table.green);
        });
        if (auto e = both.error()) return *e;
        return RoundReads{std::move(both.blue).value(), std::move(both.green).value(), {}};
    }
    auto blue = read(pair.blue, table.blue);
    if (!blue.ok()) return blue.take_error();
    auto position = Replication::blue_position(pair.blue, deadline);
    if (!position.ok()) return position.take_error();
    PGFLIP_TRY(rep.wait_applied(pair.green, *position, pg::after(options.lag_timeout)));
    auto green = read(pair.green, table.green);
    if (!green.ok()) return green.take_error();
    auto again = read_rows_by_key(pair.blue, table.blue, differing_keys(*blue, *green), deadline);
    if (!again.ok()) return again.take_error();
    return RoundReads{std::move(blue).value(), std::move(green).value(), std::move(again).value()};
}

}  // namespace

Verdict judge(const RowState* first_blue, const RowState* green, const RowState* second_blue,
              bool live) {
    if (first_blue == nullptr && green == nullptr) return Verdict::equal;
    if (first_blue != nullptr && green != nullptr && first_blue->hash == green->hash) {
        return Verdict::equal;
    }
    if (!live) {
        if (green == nullptr) return Verdict::missing_on_green;
        return first_blue == nullptr ? Verdict::extra_on_green : Verdict::changed;
    }
    if (first_blue != nullptr && second_blue != nullptr &&
        first_blue->version == second_blue->version) {
        return green == nullptr ? Verdict::missing_on_green : Verdict::changed;
    }
    if (first_blue == nullptr && second_blue == nullptr) return Verdict::extra_pending;
    return Verdict::unsettled;
}

std::vector<Key> judge_round(const RoundReads& reads, bool live, std::set<Key>& pending,
                             KeyedOutcome& out) {
    std::vector<Key> again;
    std::set<Key> still_pending;
    for (const Key& key : differing_keys(reads.blue, reads.green)) {
        const Verdict v =
            judge(find(reads.blue, key), find(reads.green, key), find(reads.blue_again, key), live);
        if (v == Verdict::equal) continue;
        if (v == Verdict::unsettled) {
            again.push_back(key);
            continue;
        }
        // While replicating, a difference counts only when two rounds in a row see it: green
        // may apply a commit (sent once flushed) a moment before blue itself makes it visible,
        // and blue's second read then still shows the old version.
        if (live && pending.count(key) == 0) {
            still_pending.insert(key);
            again.push_back(key);
            continue;
        }
        out.differences[key] = v == Verdict::extra_pending ? Verdict::extra_on_green : v;
    }
    pending = std::move(still_pending);
    return again;
}

std::vector<Key> differing_keys(const RowMap& blue, const RowMap& green) {
    std::vector<Key> out;
    for (const auto& [key, row] : blue) {
        const RowState* g = find(green, key);
        if (g == nullptr || g->hash != row.hash) out.push_back(key);
    }
    for (const auto& [key, row] : green) {
        if (blue.count(key) == 0) out.push_back(key);
    }
    return out;
}

Result<RowMap> read_rows(pg::Connection& conn, const std::string& sql, const pg::Params& params,
                         size_t key_columns, pg::Deadline deadline) {
    auto rows = conn.query(sql, params, deadline);
    if (!rows.ok()) return rows.take_error();
    RowMap out;
    const int k = static_cast<int>(key_columns);
    for (int r = 0; r < rows->size(); ++r) {
        Key key;
        key.reserve(key_columns);
        for (int c = 0; c < k; ++c) key.push_back(rows->str(r, c));
        out[std::move(key)] = RowState{rows->str(r, k), rows->str(r, k + 1)};
    }
    return out;
}

pg::Params key_params(const std::vector<Key>& keys, size_t key_columns) {
    pg::Params params;
    for (size_t c = 0; c < key_columns; ++c) {
        std::vector<std::string> column;
        column.reserve(keys.size());
        for (const Key& key : keys) column.push_back(key[c]);
        params.emplace_back(pg::array_literal(column));
    }
    return params;
}

Result<RowMap> read_rows_by_key(pg::Connection& conn, const Table& table,
                                const std::vector<Key>& keys, pg::Deadline deadline) {
    RowMap out;
    const size_t key_columns = table.key().size();
    const std::string sql = rows_by_key_sql(table);
    for (size_t start = 0; start < keys.size(); start += keys_per_query) {
        const size_t end = std::min(keys.size(), start + keys_per_query);
        std::vector<Key> batch(keys.begin() + static_cast<long>(start),
                               keys.begin() + static_cast<long>(end));
        auto part = read_rows(conn, sql, key_params(batch, key_columns), key_columns, deadline);
        if (!part.ok()) return part.take_error();
        merge(out, std::move(part).value());
    }
    return out;
}

namespace {

//! The mismatching sub-buckets of one large key range, as segments.
Result<std::vector<Segment>> split_range(SessionPair& pair, const TablePair& table,
                                         const KeyRange& range, long long rows,
                                         pg::Deadline deadline) {
    const long long mask = hash_mask(rows, rows_per_bucket);
    auto both = on_both(pair, [&](pg::Connection& c) {
        const Table& t = c.side() == Side::blue ? table.blue : table.green;
        const Condition where = range_condition(t, range, 2);  // $1 is the mask
        pg::Params params{std::to_string(mask)};
        params.insert(params.end(), where.params.begin(), where.params.end());
        return read_sums(c, {hash_sums_sql(t, true, where), params}, deadline);
    });
    if (auto e = both.error()) return *e;
    std::vector<long long> subs = mismatched(*both.blue, *both.green);
    if (subs.empty()) return std::vector<Segment>{};
    return std::vector<Segment>{Segment{
        sub_bucket_condition(table.blue, range_condition(table.blue, range, 1), mask, subs),
        sub_bucket_condition(table.green, range_condition(table.green, range, 1), mask, subs)}};
}

}  // namespace

Result<std::vector<Segment>> segments_for(SessionPair& pair, const TablePair& table,
                                          const Split& split, const std::vector<long long>& buckets,
                                          const BucketSums& blue_sums, const BucketSums& green_sums,
                                          pg::Deadline deadline) {
    std::vector<Segment> out;
    for (long long bucket : buckets) {
        const KeyRange range = range_of(split.bounds, bucket);
        Segment seg{range_condition(table.blue, range, 1), range_condition(table.green, range, 1)};
        long long rows = 0;
        if (auto it = blue_sums.find(bucket); it != blue_sums.end()) rows = it->second.rows;
        if (auto it = green_sums.find(bucket); it != green_sums.end()) {
            rows = std::max(rows, it->second.rows);
        }
        if (rows <= max_rows_to_fetch) {
            out.push_back(std::move(seg));
            continue;
        }
        auto subs = split_range(pair, table, range, rows, deadline);
        if (!subs.ok()) return subs.take_error();
        out.insert(out.end(), subs->begin(), subs->end());
    }
    return out;
}

Result<KeyedOutcome> drill_keyed(SessionPair& pair, const TablePair& table,
                                 const std::vector<Segment>& segments, const Replication& rep,
                                 const DrillOptions& options, pg::Deadline deadline) {
    KeyedOutcome out;
    std::set<Key> pending;
    std::vector<Key> keys;
    auto by_segments = [&](pg::Connection& c, const Table& t) {
        return read_segments(c, t, segments, deadline);
    };
    auto by_keys = [&](pg::Connection& c, const Table& t) {
        return read_rows_by_key(c, t, keys, deadline);
    };
    // Under replication a difference is confirmed by a second round.
    const int rounds = std::max(options.rounds, rep.live() ? 2 : 1);
    for (int round = 1; round <= rounds; ++round) {
        auto reads = round == 1 ? read_round(pair, table, rep, by_segments, options, deadline)
                                : read_round(pair, table, rep, by_keys, options, deadline);
        if (!reads.ok()) return reads.take_error();
        keys = judge_round(*reads, rep.live(), pending, out);
        out.rounds = round;
        if (keys.empty()) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(20 * round));
    }
    out.unsettled = keys;
    return out;
}

}  // namespace pgflip::verify
