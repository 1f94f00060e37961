// Drill-down of a keyed table: the rows of the buckets that disagree, read on both sides and
// matched by key, then judged in rounds that tell lag from real differences.
//
// One round, while green replicates from blue: read the rows on blue (hash and version = xmin),
// take blue's WAL insert position L, wait until green has applied past L, read the rows on green,
// then read the versions of the differing rows on blue again. A row whose blue version did not
// change across the round must be on green as blue has it: if it is not, that is a difference
// (missing on green, or changed). A row rewritten on blue meanwhile is re-checked in
// the next round by key. Every difference must be seen in two rounds in a row: a row only on
// green may have been inserted and deleted on blue inside one round, and green may apply a
// commit a moment before blue itself makes it visible (the commit is sent once flushed), so
// blue's second read can still show the old version. Without replication one round decides.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "verify/buckets.hpp"
#include "verify/model.hpp"
#include "verify/replication.hpp"
#include "verify/session.hpp"

namespace pgflip::verify {

using Key = std::vector<std::string>;

//! A row as one side returned it: its hash and its version (xmin; only meaningful on blue).
struct RowState {
    std::string hash;
    std::string version;
};

using RowMap = std::map<Key, RowState>;

enum class Verdict { equal, missing_on_green, extra_on_green, changed, unsettled, extra_pending };

//! Judges one key from the round's three reads (nullptr: the row was absent in that read).
[[nodiscard]] Verdict judge(const RowState* first_blue, const RowState* green,
                            const RowState* second_blue, bool live);
//! Keys whose rows differ between the two reads (absent on one side counts).
[[nodiscard]] std::vector<Key> differing_keys(const RowMap& blue, const RowMap& green);

//! Reads (key..., row_hash, version) rows.
Result<RowMap> read_rows(pg::Connection& conn, const std::string& sql, const pg::Params& params,
                         size_t key_columns, pg::Deadline deadline);
//! Reads rows by key, in batches.
Result<RowMap> read_rows_by_key(pg::Connection& conn, const Table& table,
                                const std::vector<Key>& keys, pg::Deadline deadline);
//! One text[] parameter per key column for rows_by_key_sql / values_by_key_sql.
[[nodiscard]] pg::Params key_params(const std::vector<Key>& keys, size_t key_columns);

//! Part of a table to fetch in round 1: the same rows described for each side.
struct Segment {
    Condition blue;
    Condition green;
};

//! The segments covering the mismatching buckets; key ranges too large to fetch are first split
//! by key hash and only their mismatching sub-buckets kept.
Result<std::vector<Segment>> segments_for(SessionPair& pair, const TablePair& table,
                                          const Split& split, const std::vector<long long>& buckets,
                                          const BucketSums& blue_sums, const BucketSums& green_sums,
                                          pg::Deadline deadline);

struct DrillOptions {
    int rounds = 5;  //!< re-check rounds under replication
    std::chrono::milliseconds lag_timeout{30000};
};

//! What the rounds decided.
struct KeyedOutcome {
    std::map<Key, Verdict> differences;  //!< missing_on_green, extra_on_green or changed
    std::vector<Key> unsettled;
    int rounds = 0;
};

//! The three reads of one round; `blue_again` only while replicating.
struct RoundReads {
    RowMap blue;
    RowMap green;
    RowMap blue_again;
};

//! Records the round's confirmed differences in `out`; returns the keys to look at again.
//! `pending`: the keys whose difference the previous round saw first (updated for the next).
std::vector<Key> judge_round(const RoundReads& reads, bool live, std::set<Key>& pending,
                             KeyedOutcome& out);

//! Runs the rounds over the rows of `segments`.
Result<KeyedOutcome> drill_keyed(SessionPair& pair, const TablePair& table,
                                 const std::vector<Segment>& segments, const Replication& rep,
                                 const DrillOptions& options, pg::Deadline deadline);

}  // namespace pgflip::verify
