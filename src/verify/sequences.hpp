// Sequence comparison: every sequence's last value on both sides. Logical replication does not
// carry sequences, so while green replicates a sequence behind blue is expected (cutover sets
// them); after cutover, or without replication, behind is a difference: green would hand out
// values blue already used.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "verify/report.hpp"
#include "verify/session.hpp"

namespace pgflip::verify {

using SequenceValues = std::map<std::string, std::optional<std::string>>;

//! Compares last values (nullopt: never used). Numeric comparison of the texts.
[[nodiscard]] SequencesResult diff_sequences(const SequenceValues& blue,
                                             const SequenceValues& green, bool replicating);

//! Reads both sides (in parallel) and compares them.
Result<SequencesResult> compare_sequences(SessionPair& pair, bool replicating,
                                          pg::Deadline deadline);

}  // namespace pgflip::verify
