// Sequences, which logical replication does not carry: at the end of setup green's sequences are
// moved to blue's values plus a margin, so green is ahead of blue until cutover sets them
// exactly. The margin is at least 1000 increments and twice what the sequence advanced while
// setup ran.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace pgflip::sync {

struct SequenceValue {
    std::string schema;
    std::string name;
    std::optional<long long> last_value;  //!< nullopt: never used
    long long increment = 1;
    long long min_value = 1;
    long long max_value = 0;
    [[nodiscard]] std::string key() const { return schema + "." + name; }
};

Result<std::vector<SequenceValue>> read_sequences(pg::Connection& conn, pg::Deadline deadline);

//! Where green's sequence goes: blue's value moved on by the margin, within the bounds; nullopt
//! when blue never used it. `at_start` is blue's value when setup began.
[[nodiscard]] std::optional<long long> presync_target(const SequenceValue& blue,
                                                      std::optional<long long> at_start);

//! Moves green's sequences to their targets (never back); returns how many moved.
Result<int> presync_sequences(pg::Connection& blue, pg::Connection& green,
                              const std::map<std::string, long long>& at_start,
                              pg::Deadline deadline);

}  // namespace pgflip::sync
