#include "sync/sequences.hpp"

#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>

#include "sql/queries.hpp"

namespace pgflip::sync {

namespace {

constexpr long long kMinIncrements = 1000;

//! a + b, saturating instead of overflowing.
long long saturating_add(long long a, long long b) {
    long long out = 0;
    if (__builtin_add_overflow(a, b, &out)) {
        return b > 0 ? std::numeric_limits<long long>::max()
                     : std::numeric_limits<long long>::min();
    }
    return out;
}

long long saturating_mul(long long a, long long b) {
    long long out = 0;
    if (__builtin_mul_overflow(a, b, &out)) {
        return (a > 0) == (b > 0) ? std::numeric_limits<long long>::max()
                                  : std::numeric_limits<long long>::min();
    }
    return out;
}

}  // namespace

Result<std::vector<SequenceValue>> read_sequences(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = conn.query(sql::sync_sequences_read, deadline);
    if (!rows) return rows.take_error();
    std::vector<SequenceValue> out;
    for (int r = 0; r < rows->size(); ++r) {
        SequenceValue s;
        s.schema = rows->str(r, 0);
        s.name = rows->str(r, 1);
        if (!rows->is_null(r, 2)) s.last_value = rows->num(r, 2);
        s.increment = rows->num(r, 3);
        s.min_value = rows->num(r, 4);
        s.max_value = rows->num(r, 5);
        out.push_back(std::move(s));
    }
    return out;
}

std::optional<long long> presync_target(const SequenceValue& blue,
                                        std::optional<long long> at_start) {
    if (!blue.last_value || blue.increment == 0) return std::nullopt;
    long long advanced = at_start ? *blue.last_value - *at_start : 0;
    long long margin = std::max(saturating_mul(kMinIncrements, std::llabs(blue.increment)),
                                saturating_mul(2, std::llabs(advanced)));
    long long target = saturating_add(*blue.last_value, blue.increment > 0 ? margin : -margin);
    return std::clamp(target, blue.min_value, blue.max_value);
}

Result<int> presync_sequences(pg::Connection& blue, pg::Connection& green,
                              const std::map<std::string, long long>& at_start,
                              pg::Deadline deadline) {
    auto values = read_sequences(blue, deadline);
    if (!values) return values.take_error();
    nlohmann::json targets = nlohmann::json::array();
    for (const auto& s : *values) {
        auto start = at_start.find(s.key());
        auto target = presync_target(
            s, start == at_start.end() ? std::nullopt : std::optional<long long>(start->second));
        if (target) targets.push_back({{"schema", s.schema}, {"name", s.name}, {"value", *target}});
    }
    auto rows = green.query(sql::sync_sequences_apply, {targets.dump()}, deadline);
    if (!rows) return rows.take_error();
    return static_cast<int>(rows->num(0, 0));
}

}  // namespace pgflip::sync
