// The watchdog process itself (`pgflip watchdog`): connect, say ready, follow the pipe, and
// settle the flip if the pipe closes without "done".
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "cutover/context.hpp"
#include "cutover/settle.hpp"
#include "cutover/watchdog.hpp"
#include "state/state_dir.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kConnectTimeout = milliseconds(15000);
constexpr auto kLockWait = milliseconds(600000);

void tell(int fd, const std::string& line) {
    std::string text = line + "\n";
    [[maybe_unused]] const ssize_t n = ::write(fd, text.data(), text.size());
}

void log_line(const std::string& line) {
    std::fprintf(stderr, "pgflip watchdog %d: %s\n", static_cast<int>(::getpid()), line.c_str());
    std::fflush(stderr);
}

//! Follows the pipe until it closes; the progress it describes.
Progress follow_pipe() {
    Progress progress;
    std::string line;
    while (std::getline(std::cin, line)) {
        if (!apply_message(progress, line)) log_line("ignored message: " + line);
    }
    return progress;
}

//! The state directory, once the dead run's lock is released. Only the lock holder may settle:
//! a new run that took it first settles the flip itself, so this waits rather than races.
std::optional<state::StateDir> lock_state_dir(const std::filesystem::path& dir, Clock& clock) {
    const auto until = clock.now() + kLockWait;
    for (;;) {
        auto opened = state::StateDir::open(dir);
        if (opened.ok()) return std::move(opened).value();
        if (clock.now() >= until) {
            log_line("gave up waiting for the state directory: " + opened.error().str());
            return std::nullopt;
        }
        clock.sleep_for(std::chrono::milliseconds(5));
    }
}

//! True when the flip this watchdog watched is still the one in progress.
bool still_ours(const state::StateDir& dir, const std::string& run_id) {
    auto state = load_flip_state(dir);
    return state.ok() && state->in_progress && state->in_progress->run_id == run_id;
}

}  // namespace

int run_watchdog(const config::Config& config, const std::filesystem::path& state_dir,
                 int ready_fd) {
    SystemClock clock;
    {
        std::ofstream pid_file(state_dir / "watchdog.pid", std::ios::trunc);
        pid_file << ::getpid() << "\n";
    }
    auto state = read_flip_state_file(state_dir);
    if (!state.ok() || !state->in_progress) {
        tell(ready_fd,
             "error " + (state.ok() ? std::string("no flip in progress") : state.error().str()));
        return 1;
    }
    auto settler = Settler::connect(config, *state, clock, clock.now() + kConnectTimeout);
    if (!settler.ok()) {
        tell(ready_fd, "error " + settler.error().str());
        return 1;
    }
    tell(ready_fd, "ready");
    ::close(ready_fd);
    log_line("watching flip " + state->in_progress->run_id);
    Progress progress = follow_pipe();
    if (progress.finished) return 0;
    log_line("pgflip went away during the flip: settling it");
    auto dir = lock_state_dir(state_dir, clock);
    if (!dir) return 1;
    if (!still_ours(*dir, state->in_progress->run_id)) {
        log_line("another run settled the flip first: nothing to do");
        return 0;
    }
    const SettleResult settled = (*settler)->settle(progress, &*dir);
    log_line(settled.summary());
    return settled.ok ? 0 : 1;
}

}  // namespace pgflip::cutover
