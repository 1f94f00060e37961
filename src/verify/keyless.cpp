#include "verify/keyless.hpp"

#include <thread>

#include "pg/array.hpp"

namespace pgflip::verify {

namespace {

using Multiset = std::map<std::string, long long>;

Result<Multiset> read_hashes(pg::Connection& conn, const Table& table, long long mask,
                             const std::vector<long long>& buckets, pg::Deadline deadline) {
    std::vector<std::string> items;
    for (long long b : buckets) items.push_back(std::to_string(b));
    auto rows = conn.query(keyless_hashes_sql(table),
                           {std::to_string(mask), pg::array_literal(items)}, deadline);
    if (!rows.ok()) return rows.take_error();
    Multiset out;
    for (int r = 0; r < rows->size(); ++r) out[rows->str(r, 0)] = rows->num(r, 1);
    return out;
}

//! One round: both at once without replication, else blue, catch-up, green.
Result<HashDiff> read_round(SessionPair& pair, const TablePair& table, long long mask,
                            const std::vector<long long>& buckets, const Replication& rep,
                            const DrillOptions& options, pg::Deadline deadline) {
    auto read = [&](pg::Connection& c) {
        return read_hashes(c, c.side() == Side::blue ? table.blue : table.green, mask, buckets,
                           deadline);
    };
    if (!rep.live()) {
        auto both = on_both(pair, read);
        if (auto e = both.error()) return *e;
        return diff_multisets(*both.blue, *both.green);
    }
    auto blue = read(pair.blue);
    if (!blue.ok()) return blue.take_error();
    auto position = Replication::blue_position(pair.blue, deadline);
    if (!position.ok()) return position.take_error();
    PGFLIP_TRY(rep.wait_applied(pair.green, *position, pg::after(options.lag_timeout)));
    auto green = read(pair.green);
    if (!green.ok()) return green.take_error();
    return diff_multisets(*blue, *green);
}

}  // namespace

HashDiff diff_multisets(const std::map<std::string, long long>& blue,
                        const std::map<std::string, long long>& green) {
    HashDiff out;
    for (const auto& [hash, n] : blue) {
        auto it = green.find(hash);
        long long g = it == green.end() ? 0 : it->second;
        if (g != n) out[hash] = {n, g};
    }
    for (const auto& [hash, n] : green) {
        if (blue.count(hash) == 0) out[hash] = {0, n};
    }
    return out;
}

HashDiff intersect(const HashDiff& earlier, const HashDiff& now) {
    HashDiff out;
    for (const auto& [hash, copies] : now) {
        auto it = earlier.find(hash);
        if (it == earlier.end()) continue;
        const bool more_on_blue = copies.blue > copies.green;
        if (more_on_blue == (it->second.blue > it->second.green)) out[hash] = copies;
    }
    return out;
}

Result<KeylessOutcome> drill_keyless(SessionPair& pair, const TablePair& table, long long mask,
                                     const std::vector<long long>& buckets, const Replication& rep,
                                     const DrillOptions& options, pg::Deadline deadline) {
    KeylessOutcome out;
    const int rounds = rep.live() ? std::max(options.rounds, 2) : 1;
    bool stable = false;
    for (int round = 1; round <= rounds && !stable; ++round) {
        auto diff = read_round(pair, table, mask, buckets, rep, options, deadline);
        if (!diff.ok()) return diff.take_error();
        HashDiff now = round == 1 ? *diff : intersect(out.differences, *diff);
        // Settled: nothing differs, or (replicating) the same differences twice in a row.
        stable = now.empty() || !rep.live() || (round >= 2 && now.size() == diff->size());
        out.differences = std::move(now);
        out.rounds = round;
        if (!stable) std::this_thread::sleep_for(std::chrono::milliseconds(20 * round));
    }
    out.unsettled = !stable;
    return out;
}

}  // namespace pgflip::verify
