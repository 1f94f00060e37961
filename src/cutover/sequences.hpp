// Sequences, which logical replication does not carry: read exactly on the side being left
// (after the fence, so they no longer move) and set on the other side in one round trip.
#pragma once

#include <string>
#include <vector>

#include "cutover/clock.hpp"
#include "pg/connection.hpp"

namespace pgflip::cutover {

struct SequenceValue {
    std::string schema, name;
    long long last_value = 0;
    bool is_called = false;
    bool operator==(const SequenceValue&) const = default;
};

//! Every sequence of this database (identity and unowned ones included), exactly.
Result<std::vector<SequenceValue>> read_sequences(pg::Connection& conn, Deadline deadline);
//! Sets them all in one statement; returns how many actually moved.
Result<long long> apply_sequences(pg::Connection& conn, const std::vector<SequenceValue>& values,
                                  Deadline deadline);
//! "schema.name" of sequences in `have` that `other` lacks.
[[nodiscard]] std::vector<std::string> missing_sequences(const std::vector<SequenceValue>& have,
                                                         const std::vector<SequenceValue>& other);

}  // namespace pgflip::cutover
