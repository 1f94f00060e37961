// pgbench's per-transaction logs (-l) as the independent witness of a write blackout: the
// longest gap between consecutive committed transactions, across all clients, around a flip.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pgflip::bench {

using EpochMicros = std::int64_t;  //!< microseconds since the Unix epoch, as pgbench logs them

//! Wall-clock now, in pgbench's units.
[[nodiscard]] EpochMicros epoch_now();

//! What one pgbench run's logs say.
struct TxLog {
    std::vector<EpochMicros> commits;  //!< completion time of every committed transaction, sorted
    long long failed = 0;              //!< logged as failed, serialization or deadlock
    long long skipped = 0;             //!< logged as skipped (rate limit with -L)
};

//! One log line: "client tx time script epoch us [lag] [retries]" (pgbench 15).
struct TxLine {
    bool committed = false;  //!< false for failed/serialization/deadlock/skipped
    bool skipped = false;
    EpochMicros end = 0;  //!< when the transaction completed
};

[[nodiscard]] std::optional<TxLine> parse_tx_line(std::string_view line);
//! Merges the log files of every pgbench thread; the commits come out sorted.
Result<TxLog> read_tx_logs(const std::vector<std::filesystem::path>& files);

//! A stretch of wall-clock time, e.g. from starting a flip to its end.
struct Window {
    EpochMicros begin = 0;
    EpochMicros end = 0;
};

//! The longest gap between consecutive commits among those that touch the window: the gap
//! running into it and the one running out of it count. Nothing when no commit follows the
//! window (the load ended too early to measure it).
[[nodiscard]] std::optional<EpochMicros> longest_gap(const std::vector<EpochMicros>& commits,
                                                     Window window);

//! n, median and worst of a set of blackouts in milliseconds.
struct Summary {
    int n = 0;
    double median_ms = 0;
    double worst_ms = 0;
};

[[nodiscard]] Summary summarize(std::vector<double> values_ms);

}  // namespace pgflip::bench
