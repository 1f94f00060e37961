// Copy progress: counters the workers bump, and the line people (progress bar) or logs (plain
// line every few seconds) see: bytes, rows, rate and ETA. Progress is measured in the on-disk
// bytes of the plan, with the bytes of items in flight converted by the ratio learned so far.
#pragma once

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

#include "sync/console.hpp"

namespace pgflip::sync {

//! Shared by the copy workers (relaxed atomics: only a report reads them).
struct CopyCounters {
    std::atomic<long long> stream_bytes{0};       //!< COPY data moved so far
    std::atomic<long long> rows{0};               //!< rows moved so far (COPY messages)
    std::atomic<long long> done_stream_bytes{0};  //!< COPY data of finished items
    std::atomic<long long> done_est_bytes{0};     //!< planned bytes of finished items
    std::atomic<int> items_done{0};
    long long total_est_bytes = 0;  //!< planned bytes of this run's items
    int items_total = 0;
};

//! A moment of the copy, as numbers.
struct ProgressView {
    double fraction = 0;  //!< 0..1
    long long stream_bytes = 0;
    long long rows = 0;
    double rate_bytes_s = 0;  //!< COPY bytes per second
    double eta_s = -1;        //!< -1: unknown
    int items_done = 0;
    int items_total = 0;
};

//! Reads the counters `elapsed_s` seconds into the copy.
[[nodiscard]] ProgressView view_of(const CopyCounters& counters, double elapsed_s);
//! "[#########-----------]  45%  1.2 GiB  3.4M rows  85.0 MiB/s  ETA 0:17  12/120 items"
[[nodiscard]] std::string render_bar(const ProgressView& view, int width = 24);
//! "copy 45%: 1.2 GiB, 3.4M rows, 85.0 MiB/s, ETA 0:17, 12/120 items"
[[nodiscard]] std::string render_line(const ProgressView& view);

//! Draws the bar (terminal, 4 times a second) or logs a line (every 10 s) until stopped.
class ProgressReporter {
  public:
    ProgressReporter(const CopyCounters& counters, Console& console);
    ProgressReporter(const ProgressReporter&) = delete;
    ProgressReporter& operator=(const ProgressReporter&) = delete;
    ~ProgressReporter();
    void stop();

  private:
    void run();

    const CopyCounters& counters_;
    Console& console_;
    std::mutex mutex_;
    std::condition_variable wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace pgflip::sync
