// Drill-down of a table without a key: a whole-table multiset comparison. Rows have no identity,
// so the mismatching buckets are compared as multisets of row hashes (hash -> copies). While
// green replicates, a hash counts as different only if it differs the same way in every round
// (at least two), since rows written on blue during one round differ only in that round.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "verify/replication.hpp"
#include "verify/rows.hpp"
#include "verify/session.hpp"

namespace pgflip::verify {

//! Copies of one row hash on each side.
struct Copies {
    long long blue = 0;
    long long green = 0;
    bool operator==(const Copies&) const = default;
};

//! Row hash -> copies, for hashes whose copies differ.
using HashDiff = std::map<std::string, Copies>;

//! The hashes whose copies differ between two multisets (hash -> count).
[[nodiscard]] HashDiff diff_multisets(const std::map<std::string, long long>& blue,
                                      const std::map<std::string, long long>& green);
//! The differences present, in the same direction, in both.
[[nodiscard]] HashDiff intersect(const HashDiff& earlier, const HashDiff& now);

struct KeylessOutcome {
    HashDiff differences;
    bool unsettled = false;  //!< differences came and went: blue kept writing
    int rounds = 0;
};

//! Compares the rows of `buckets` (row hash & mask) in rounds.
Result<KeylessOutcome> drill_keyless(SessionPair& pair, const TablePair& table, long long mask,
                                     const std::vector<long long>& buckets, const Replication& rep,
                                     const DrillOptions& options, pg::Deadline deadline);

}  // namespace pgflip::verify
