#include "sync/parallel.hpp"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "sync/session.hpp"

namespace pgflip::sync {

Status for_each_parallel(const pg::Conninfo& info, Side side, const std::string& role, int jobs,
                         size_t count, const Task& task) {
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::optional<Error> first_error;
    auto fail = [&](Error e) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::move(e);
        stop = true;
    };
    auto worker = [&] {
        auto conn = open_session(info, side, role, pg::after(pg::milliseconds(30000)));
        if (!conn) return fail(conn.take_error());
        for (size_t i = next++; i < count && !stop; i = next++) {
            Status s = task(*conn, i);
            if (!s.ok()) return fail(s.take_error());
        }
    };
    size_t threads_wanted = std::min(count, static_cast<size_t>(std::max(jobs, 1)));
    std::vector<std::thread> threads;
    for (size_t i = 0; i < threads_wanted; ++i) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (first_error) return *first_error;
    return {};
}

}  // namespace pgflip::sync
