#include "verify/table_check.hpp"

#include <chrono>
#include <cstdlib>

#include "pg/array.hpp"
#include "verify/keyless.hpp"

namespace pgflip::verify {

namespace {

using Values = std::vector<std::optional<std::string>>;
using ValuesByKey = std::map<Key, Values>;

//! Data queries may scan for a long time; they still get a deadline.
pg::Deadline scan_deadline() {
    return pg::after(std::chrono::hours(24));
}

double seconds_since(pg::Clock::time_point start) {
    return std::chrono::duration<double>(pg::Clock::now() - start).count();
}

TableResult skeleton(const TablePair& table) {
    TableResult r;
    r.name = table.display();
    for (const Column* c : table.blue.key()) r.key_columns.push_back(c->name);
    for (const Column& c : table.blue.columns) r.column_names.push_back(c.name);
    return r;
}

Result<ValuesByKey> read_values(pg::Connection& conn, const Table& table,
                                const std::vector<Key>& keys, pg::Deadline deadline) {
    ValuesByKey out;
    if (keys.empty()) return out;
    const size_t k = table.key().size();
    auto rows = conn.query(values_by_key_sql(table), key_params(keys, k), deadline);
    if (!rows.ok()) return rows.take_error();
    for (int r = 0; r < rows->size(); ++r) {
        Key key;
        for (size_t c = 0; c < k; ++c) key.push_back(rows->str(r, static_cast<int>(c)));
        Values values;
        for (int c = static_cast<int>(k); c < rows->columns(); ++c)
            values.push_back(rows->opt(r, c));
        out[std::move(key)] = std::move(values);
    }
    return out;
}

RowDiffKind kind_of(Verdict v) {
    if (v == Verdict::missing_on_green) return RowDiffKind::missing_on_green;
    if (v == Verdict::extra_on_green) return RowDiffKind::extra_on_green;
    return RowDiffKind::changed;
}

//! The columns whose values differ (both rows present).
std::vector<std::string> differing_columns(const TableResult& result, const Values& blue,
                                           const Values& green) {
    std::vector<std::string> out;
    for (size_t i = 0; i < result.column_names.size() && i < blue.size() && i < green.size(); ++i) {
        if (blue[i] != green[i]) out.push_back(result.column_names[i]);
    }
    return out;
}

//! Lists up to max_rows of the differences with their differing columns (and values).
Status detail_keyed(SessionPair& pair, const TablePair& table, const KeyedOutcome& outcome,
                    const TableOptions& options, TableResult& result) {
    std::vector<Key> keys;
    for (const auto& [key, verdict] : outcome.differences) {
        if (static_cast<int>(keys.size()) >= options.max_rows) break;
        keys.push_back(key);
    }
    auto values = on_both(pair, [&](pg::Connection& c) {
        return read_values(c, c.side() == Side::blue ? table.blue : table.green, keys,
                           scan_deadline());
    });
    if (auto e = values.error()) return *e;
    for (const Key& key : keys) {
        RowDiff d;
        d.kind = kind_of(outcome.differences.at(key));
        d.key = key;
        const Values& b = (*values.blue)[key];
        const Values& g = (*values.green)[key];
        if (d.kind == RowDiffKind::changed) d.columns = differing_columns(result, b, g);
        if (options.show_values) {
            d.blue_values = b;
            d.green_values = g;
        }
        result.rows.push_back(std::move(d));
    }
    return {};
}

Status check_keyed(SessionPair& pair, const TablePair& table, const Split& split,
                   const Both<Result<BucketSums>>& sums, const std::vector<long long>& buckets,
                   const Replication& rep, const TableOptions& options, TableResult& result) {
    auto segments =
        segments_for(pair, table, split, buckets, *sums.blue, *sums.green, scan_deadline());
    if (!segments.ok()) return segments.take_error();
    auto outcome = drill_keyed(pair, table, *segments, rep, options.drill, scan_deadline());
    if (!outcome.ok()) return outcome.take_error();
    result.rounds = outcome->rounds;
    result.differences = static_cast<long long>(outcome->differences.size());
    result.unsettled = static_cast<long long>(outcome->unsettled.size());
    for (const Key& key : outcome->unsettled) {
        if (static_cast<int>(result.unsettled_keys.size()) >= options.max_rows) break;
        result.unsettled_keys.push_back(key);
    }
    return detail_keyed(pair, table, *outcome, options, result);
}

Result<std::map<std::string, Values>> read_keyless_values(pg::Connection& conn, const Table& table,
                                                          const std::vector<std::string>& hashes) {
    std::map<std::string, Values> out;
    if (hashes.empty()) return out;
    auto rows = conn.query(keyless_values_sql(table), {pg::array_literal(hashes)}, scan_deadline());
    if (!rows.ok()) return rows.take_error();
    for (int r = 0; r < rows->size(); ++r) {
        Values values;
        for (int c = 1; c < rows->columns(); ++c) values.push_back(rows->opt(r, c));
        out[rows->str(r, 0)] = std::move(values);
    }
    return out;
}

Status detail_keyless(SessionPair& pair, const TablePair& table, const HashDiff& diff,
                      const TableOptions& options, TableResult& result) {
    std::vector<std::string> hashes;
    for (const auto& [hash, copies] : diff) {
        if (static_cast<int>(hashes.size()) >= options.max_rows) break;
        hashes.push_back(hash);
    }
    std::map<std::string, Values> blue_values;
    std::map<std::string, Values> green_values;
    if (options.show_values) {
        auto values = on_both(pair, [&](pg::Connection& c) {
            return read_keyless_values(c, c.side() == Side::blue ? table.blue : table.green,
                                       hashes);
        });
        if (auto e = values.error()) return *e;
        blue_values = std::move(values.blue).value();
        green_values = std::move(values.green).value();
    }
    for (const std::string& hash : hashes) {
        const Copies& copies = diff.at(hash);
        RowDiff d;
        d.kind = copies.blue > copies.green ? RowDiffKind::missing_on_green
                                            : RowDiffKind::extra_on_green;
        d.row_hash = hash;
        d.blue_copies = copies.blue;
        d.green_copies = copies.green;
        d.blue_values = blue_values[hash];
        d.green_values = green_values[hash];
        result.rows.push_back(std::move(d));
    }
    return {};
}

Status check_keyless(SessionPair& pair, const TablePair& table, const Split& split,
                     const std::vector<long long>& buckets, const Replication& rep,
                     const TableOptions& options, TableResult& result) {
    const long long mask = split.kind == Split::Kind::row_hash ? split.mask : 0;
    auto outcome = drill_keyless(pair, table, mask, buckets, rep, options.drill, scan_deadline());
    if (!outcome.ok()) return outcome.take_error();
    result.rounds = outcome->rounds;
    for (const auto& [hash, copies] : outcome->differences) {
        result.differences += std::abs(copies.blue - copies.green);
    }
    if (outcome->unsettled) result.note = "blue kept writing to this table during the re-checks";
    return detail_keyless(pair, table, outcome->differences, options, result);
}

Status compare(SessionPair& pair, const TablePair& table, const Replication& rep,
               const TableOptions& options, TableResult& result) {
    auto split = plan_split(pair.blue, table.blue, scan_deadline());
    if (!split.ok()) return split.take_error();
    result.method = split->describe();
    result.buckets = split->buckets();
    auto sums = on_both(pair, [&](pg::Connection& c) {
        const Table& t = c.side() == Side::blue ? table.blue : table.green;
        return read_sums(c, pass1_query(t, *split), scan_deadline());
    });
    if (auto e = sums.error()) return *e;
    result.blue_rows = total_rows(*sums.blue);
    result.green_rows = total_rows(*sums.green);
    const auto buckets = mismatched(*sums.blue, *sums.green);
    result.mismatched_buckets = static_cast<int>(buckets.size());
    if (buckets.empty()) return {};
    if (table.keyed()) return check_keyed(pair, table, *split, sums, buckets, rep, options, result);
    return check_keyless(pair, table, *split, buckets, rep, options, result);
}

}  // namespace

TableResult check_table(SessionPair& pair, const TablePair& table, const Replication& rep,
                        const TableOptions& options) {
    const auto start = pg::Clock::now();
    TableResult result = skeleton(table);
    Status done = compare(pair, table, rep, options, result);
    if (!done.ok()) {
        result.status = TableStatus::error;
        result.error = done.error();
    } else if (result.differences > 0) {
        result.status = TableStatus::differs;
    } else if (result.unsettled > 0) {
        result.status = TableStatus::unsettled;
    }
    result.seconds = seconds_since(start);
    return result;
}

}  // namespace pgflip::verify
