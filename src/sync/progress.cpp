#include "sync/progress.hpp"

#include <algorithm>
#include <chrono>

namespace pgflip::sync {

ProgressView view_of(const CopyCounters& c, double elapsed_s) {
    ProgressView v;
    v.stream_bytes = c.stream_bytes.load(std::memory_order_relaxed);
    v.rows = c.rows.load(std::memory_order_relaxed);
    v.items_done = c.items_done.load(std::memory_order_relaxed);
    v.items_total = c.items_total;
    double done_stream = static_cast<double>(c.done_stream_bytes.load(std::memory_order_relaxed));
    double done_est = static_cast<double>(c.done_est_bytes.load(std::memory_order_relaxed));
    double ratio = done_stream > 0 ? done_est / done_stream : 1.0;
    double in_flight = static_cast<double>(v.stream_bytes) - done_stream;
    double total = static_cast<double>(c.total_est_bytes);
    double done = std::min(done_est + std::max(in_flight, 0.0) * ratio, total);
    v.fraction = total > 0 ? done / total : (v.items_done >= v.items_total ? 1.0 : 0.0);
    if (v.items_total > 0 && v.items_done >= v.items_total) v.fraction = 1.0;
    if (elapsed_s > 0) v.rate_bytes_s = static_cast<double>(v.stream_bytes) / elapsed_s;
    if (elapsed_s > 1 && done > 0) v.eta_s = (total - done) * elapsed_s / done;
    return v;
}

std::string render_bar(const ProgressView& v, int width) {
    int filled = static_cast<int>(v.fraction * width + 0.5);
    std::string bar = "[" + std::string(static_cast<size_t>(filled), '#') +
                      std::string(static_cast<size_t>(width - filled), '-') + "]";
    char pct[16];
    std::snprintf(pct, sizeof pct, "%4.0f%%", v.fraction * 100);
    return bar + " " + pct + "  " + human_bytes(static_cast<double>(v.stream_bytes)) + "  " +
           human_count(static_cast<double>(v.rows)) + " rows  " + human_bytes(v.rate_bytes_s) +
           "/s  ETA " + (v.eta_s < 0 ? std::string("?") : human_duration(v.eta_s)) + "  " +
           std::to_string(v.items_done) + "/" + std::to_string(v.items_total) + " items";
}

std::string render_line(const ProgressView& v) {
    char pct[16];
    std::snprintf(pct, sizeof pct, "%.0f%%", v.fraction * 100);
    return std::string("copy ") + pct + ": " + human_bytes(static_cast<double>(v.stream_bytes)) +
           ", " + human_count(static_cast<double>(v.rows)) + " rows, " +
           human_bytes(v.rate_bytes_s) + "/s, ETA " +
           (v.eta_s < 0 ? std::string("?") : human_duration(v.eta_s)) + ", " +
           std::to_string(v.items_done) + "/" + std::to_string(v.items_total) + " items";
}

ProgressReporter::ProgressReporter(const CopyCounters& counters, Console& console)
    : counters_(counters), console_(console), thread_([this] { run(); }) {}

ProgressReporter::~ProgressReporter() {
    stop();
}

void ProgressReporter::stop() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
}

void ProgressReporter::run() {
    using namespace std::chrono;
    const auto started = steady_clock::now();
    const auto period = console_.tty() ? milliseconds(250) : milliseconds(10000);
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, period, [this] { return stopping_; })) {
        double elapsed = duration<double>(steady_clock::now() - started).count();
        ProgressView v = view_of(counters_, elapsed);
        if (console_.tty()) {
            console_.bar(render_bar(v));
        } else {
            console_.log(render_line(v));
        }
    }
    console_.clear_bar();
}

}  // namespace pgflip::sync
