#include "gaps.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <fstream>
#include <string>

namespace pgflip::bench {

namespace {

//! The whitespace-separated fields of a line.
std::vector<std::string_view> fields(std::string_view line) {
    std::vector<std::string_view> out;
    std::size_t pos = 0;
    while (pos < line.size()) {
        const auto start = line.find_first_not_of(" \t\r", pos);
        if (start == std::string_view::npos) break;
        auto stop = line.find_first_of(" \t\r", start);
        if (stop == std::string_view::npos) stop = line.size();
        out.push_back(line.substr(start, stop - start));
        pos = stop;
    }
    return out;
}

std::optional<std::int64_t> integer(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    const auto [ptr, ec] = std::from_chars(text.data(), end, value);
    if (ec != std::errc() || ptr != end) return std::nullopt;
    return value;
}

}  // namespace

EpochMicros epoch_now() {
    using namespace std::chrono;
    return duration_cast<microseconds>(system_clock::now().time_since_epoch()).count();
}

std::optional<TxLine> parse_tx_line(std::string_view line) {
    const auto f = fields(line);
    if (f.size() < 6) return std::nullopt;
    const auto epoch = integer(f[4]);
    const auto micros = integer(f[5]);
    if (!epoch || !micros) return std::nullopt;
    TxLine tx;
    tx.end = *epoch * 1000000 + *micros;
    tx.committed = integer(f[2]).has_value();  // otherwise "failed", "skipped", ...
    tx.skipped = f[2] == "skipped";
    return tx;
}

Result<TxLog> read_tx_logs(const std::vector<std::filesystem::path>& files) {
    TxLog log;
    for (const auto& file : files) {
        std::ifstream in(file);
        if (!in) return make_error(Side::local, "cannot read pgbench log " + file.string());
        for (std::string line; std::getline(in, line);) {
            const auto tx = parse_tx_line(line);
            if (!tx) {
                return make_error(Side::local, "unexpected line in " + file.string() + ": " + line);
            }
            if (tx->committed) {
                log.commits.push_back(tx->end);
            } else if (tx->skipped) {
                ++log.skipped;
            } else {
                ++log.failed;
            }
        }
    }
    std::sort(log.commits.begin(), log.commits.end());
    return log;
}

std::optional<EpochMicros> longest_gap(const std::vector<EpochMicros>& commits, Window window) {
    auto it = std::lower_bound(commits.begin(), commits.end(), window.begin);
    if (it == commits.end()) return std::nullopt;
    if (it != commits.begin()) --it;  // the gap running into the window
    EpochMicros longest = 0;
    for (auto next = it + 1; next != commits.end(); it = next++) {
        longest = std::max(longest, *next - *it);
        if (*next > window.end) return longest;  // the gap running out of the window
    }
    return std::nullopt;
}

Summary summarize(std::vector<double> values_ms) {
    Summary s;
    s.n = static_cast<int>(values_ms.size());
    if (values_ms.empty()) return s;
    std::sort(values_ms.begin(), values_ms.end());
    const auto mid = values_ms.size() / 2;
    s.median_ms =
        values_ms.size() % 2 == 1 ? values_ms[mid] : (values_ms[mid - 1] + values_ms[mid]) / 2;
    s.worst_ms = values_ms.back();
    return s;
}

}  // namespace pgflip::bench
