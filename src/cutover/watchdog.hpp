// The watchdog: a separate process (`pgflip watchdog`, started before the first PAUSE) that
// reads the flip's progress from a pipe. When the pipe closes without "done" (pgflip died: kill
// -9, OOM, a crash), it settles the flip: every pooler switched -> resume on the destination;
// otherwise -> back to the origin first (switch back, disarm, unfence: a pooler resumed onto a
// fenced origin would only give the application errors), then resume.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "config/config.hpp"
#include "cutover/clock.hpp"

namespace pgflip::cutover {

//! How to start the watchdog: this binary with the same configuration flags.
struct WatchdogSpawn {
    std::filesystem::path state_dir;
    std::vector<std::string> global_args;  //!< --config/--blue/--green as given to this run
};

//! The running flip's end of the pipe.
class WatchdogLink {
  public:
    //! Starts the watchdog and waits until it is connected to everything it may need.
    static Result<WatchdogLink> start(const WatchdogSpawn& spawn, Deadline ready_deadline);
    WatchdogLink(WatchdogLink&& other) noexcept;
    WatchdogLink& operator=(WatchdogLink&& other) noexcept;
    WatchdogLink(const WatchdogLink&) = delete;
    WatchdogLink& operator=(const WatchdogLink&) = delete;
    //! Closes the pipe: without done() first, the watchdog settles the flip.
    ~WatchdogLink();

    //! One progress line ("start pause", "end pause ok", ...); a dead watchdog is ignored.
    void send(std::string_view line);
    //! The flip ended in a settled state: the watchdog exits without doing anything.
    void done();
    [[nodiscard]] int pid() const { return pid_; }

  private:
    WatchdogLink(int fd, int pid) : fd_(fd), pid_(pid) {}
    void close_pipe();
    int fd_ = -1;
    int pid_ = 0;
};

//! `pgflip watchdog`: the process's main. `ready_fd` gets "ready" or "error <message>".
int run_watchdog(const config::Config& config, const std::filesystem::path& state_dir,
                 int ready_fd);

//! The pid written by the running watchdog of a state directory (0 when none is alive).
[[nodiscard]] int live_watchdog_pid(const std::filesystem::path& state_dir);

}  // namespace pgflip::cutover
