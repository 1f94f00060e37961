#include "pooler/pending.hpp"

#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

namespace pgflip::pooler {

//! Shared by the caller and the thread, so either may outlive the other.
struct PendingCommand::State {
    std::mutex mutex;
    std::condition_variable done_cv;
    bool done = false;
    Status status;
    std::optional<pg::Connection> conn;
};

namespace {

//! Never reached: see the header for why the command itself has no deadline.
pg::Deadline no_deadline() {
    return pg::Deadline::max();
}

}  // namespace

PendingCommand::PendingCommand(pg::Connection conn, std::string sql)
    : state_(std::make_shared<State>()) {
    state_->conn.emplace(std::move(conn));
    thread_ = std::thread([state = state_, sql = std::move(sql)] {
        auto rows = state->conn->query(sql, no_deadline());  // only this thread touches conn now
        const std::lock_guard lock(state->mutex);
        if (!rows.ok()) state->status = rows.take_error();
        state->done = true;
        state->done_cv.notify_all();
    });
}

PendingCommand::~PendingCommand() {
    if (!thread_.joinable()) return;
    bool done = false;
    {
        const std::lock_guard lock(state_->mutex);
        done = state_->done;
    }
    if (done) {
        thread_.join();
    } else {
        thread_.detach();
    }
}

bool PendingCommand::wait(pg::Deadline deadline) {
    std::unique_lock lock(state_->mutex);
    return state_->done_cv.wait_until(lock, deadline, [this] { return state_->done; });
}

Status PendingCommand::result() {
    const std::lock_guard lock(state_->mutex);
    return state_->status;
}

pg::Connection PendingCommand::take_connection() {
    if (thread_.joinable()) thread_.join();
    return std::move(*state_->conn);
}

void PendingCommand::abandon() {
    if (thread_.joinable()) thread_.detach();
}

}  // namespace pgflip::pooler
