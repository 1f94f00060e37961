// Where setup talks: log lines (with the time) and, on a terminal, one progress line redrawn in
// place. With --json the log goes to stderr and stdout is left to the final document. The
// journal wrapper lets copy workers record events from several threads.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdio>
#include <mutex>
#include <string>

#include "common/result.hpp"
#include "state/state_dir.hpp"

namespace pgflip::sync {

class Console {
  public:
    //! `tty`: stdout is a terminal (progress bar); `json`: logs go to stderr.
    Console(bool tty, bool json);

    void log(const std::string& line);
    //! Redraws the progress line (terminal only).
    void bar(const std::string& text);
    //! Ends the progress line so the next output starts on a fresh one.
    void clear_bar();
    [[nodiscard]] bool tty() const { return tty_; }

  private:
    std::mutex mutex_;
    FILE* out_;
    bool tty_;
    bool bar_shown_ = false;
};

//! The state directory's journal, safe to use from several threads.
class Journal {
  public:
    explicit Journal(state::StateDir& dir) : dir_(dir) {}
    Status record(const std::string& event, const nlohmann::json& fields);

  private:
    std::mutex mutex_;
    state::StateDir& dir_;
};

//! "1.2 GiB", "340 MiB", "12 KiB", "15 B".
[[nodiscard]] std::string human_bytes(double bytes);
//! "3.4M", "12.0k", "950".
[[nodiscard]] std::string human_count(double count);
//! "1:02:03", "4:05", "0:07".
[[nodiscard]] std::string human_duration(double seconds);

}  // namespace pgflip::sync
