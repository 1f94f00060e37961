#include "verify/sequences.hpp"

#include <chrono>

#include "sql/queries.hpp"

namespace pgflip::verify {

namespace {

Result<SequenceValues> read_values(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = conn.query(sql::verify_sequences, {}, deadline);
    if (!rows.ok()) return rows.take_error();
    SequenceValues out;
    for (int r = 0; r < rows->size(); ++r) out[rows->str(r, 0)] = rows->opt(r, 1);
    return out;
}

//! Compares two bigint texts (an unused sequence counts as lowest).
int compare_values(const std::optional<std::string>& a, const std::optional<std::string>& b) {
    if (!a || !b) return a ? 1 : (b ? -1 : 0);
    const long long x = std::stoll(*a);
    const long long y = std::stoll(*b);
    return x < y ? -1 : (x > y ? 1 : 0);
}

SequenceStatus status_of(const std::optional<std::string>& blue,
                         const std::optional<std::string>& green) {
    const int c = compare_values(green, blue);
    if (c == 0) return SequenceStatus::equal;
    return c > 0 ? SequenceStatus::ahead : SequenceStatus::behind;
}

}  // namespace

SequencesResult diff_sequences(const SequenceValues& blue, const SequenceValues& green,
                               bool replicating) {
    SequencesResult result;
    result.ran = true;
    result.replicating = replicating;
    for (const auto& [name, value] : blue) {
        auto it = green.find(name);
        if (it == green.end()) {
            result.sequences.push_back(
                {name, value, std::nullopt, SequenceStatus::missing_on_green});
            continue;
        }
        result.sequences.push_back({name, value, it->second, status_of(value, it->second)});
    }
    for (const auto& [name, value] : green) {
        if (blue.count(name) == 0) {
            result.sequences.push_back(
                {name, std::nullopt, value, SequenceStatus::missing_on_blue});
        }
    }
    return result;
}

Result<SequencesResult> compare_sequences(SessionPair& pair, bool replicating,
                                          pg::Deadline deadline) {
    const auto start = pg::Clock::now();
    auto values = on_both(pair, [&](pg::Connection& c) { return read_values(c, deadline); });
    if (auto e = values.error()) return *e;
    SequencesResult result = diff_sequences(*values.blue, *values.green, replicating);
    result.seconds = std::chrono::duration<double>(pg::Clock::now() - start).count();
    return result;
}

}  // namespace pgflip::verify
