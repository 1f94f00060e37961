#include "verify/progress.hpp"

#include <algorithm>
#include <cstdio>

namespace pgflip::verify {

Progress::Progress(Mode mode, long long total_bytes, int total_tables)
    : mode_(mode), total_bytes_(total_bytes), total_tables_(total_tables) {}

std::string Progress::bar(double fraction, int done, int total, int width) {
    fraction = std::clamp(fraction, 0.0, 1.0);
    const int filled = static_cast<int>(fraction * width);
    std::string out = "[" + std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(width - filled), '.') + "]";
    char tail[64];
    std::snprintf(tail, sizeof tail, " %3d%%  %d/%d tables", static_cast<int>(fraction * 100), done,
                  total);
    return out + tail;
}

void Progress::draw(const std::string& last) const {
    const double fraction =
        total_bytes_ > 0 ? static_cast<double>(done_bytes_) / static_cast<double>(total_bytes_)
                         : static_cast<double>(done_tables_) / std::max(total_tables_, 1);
    std::string line = bar(fraction, done_tables_, total_tables_) + "  " + last;
    if (line.size() > 100) line.resize(100);
    std::fprintf(stderr, "\r%-100s", line.c_str());
    std::fflush(stderr);
}

void Progress::table_done(const TableResult& result, long long bytes) {
    const std::lock_guard lock(mutex_);
    done_bytes_ += bytes;
    ++done_tables_;
    if (mode_ == Mode::bar) {
        draw(result.name);
    } else if (mode_ == Mode::lines) {
        std::fprintf(stderr, "verify: %s %s (%lld rows, %.2f s)\n", result.name.c_str(),
                     std::string(to_string(result.status)).c_str(), result.blue_rows,
                     result.seconds);
    }
}

void Progress::finish() {
    const std::lock_guard lock(mutex_);
    if (mode_ == Mode::bar) std::fprintf(stderr, "\r%-100s\r", "");
}

}  // namespace pgflip::verify
