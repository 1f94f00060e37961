// Helpers shared by the lab's Cluster and Bouncer: directories and files the server user can use,
// processes run as that user, and loopback TCP probes. Not part of the lab's public API.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "common/process.hpp"
#include "common/result.hpp"

namespace pgflip::lab::detail {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using UserIds = std::pair<unsigned, unsigned>;

//! Milliseconds since `start`.
[[nodiscard]] std::chrono::milliseconds elapsed_since(Clock::time_point start);

//! `dir` (created when missing) or, when empty, a fresh /tmp/<prefix>XXXXXX; given to the
//! server user either way. The bool is true when the directory is a fresh temporary one.
Result<std::pair<fs::path, bool>> prepare_dir(const fs::path& dir, const std::string& prefix);
//! Makes a file or directory we created belong to the server user (no-op when not root).
Status hand_over(const fs::path& path);
//! Writes a whole file with `mode` and hands it over to the server user.
Status write_file(const fs::path& path, std::string_view text, unsigned mode = 0644);
//! Appends to a file (it keeps its owner and mode).
Status append_file(const fs::path& path, std::string_view text);
//! The whole file, or nothing when it cannot be read.
[[nodiscard]] std::optional<std::string> read_file(const fs::path& path);
//! The last `lines` non-empty lines of a log file joined by " | ", for one-line error messages.
[[nodiscard]] std::string log_tail(const fs::path& path, int lines = 6);
//! The size of a file, 0 when it is missing: where the log of the next attempt begins.
[[nodiscard]] std::uintmax_t log_size(const fs::path& path);
//! What a log gained since `offset` (its last 64 KiB at most).
[[nodiscard]] std::string log_since(const fs::path& path, std::uintmax_t offset);
//! True when the log reports, after `offset`, a port that was taken.
[[nodiscard]] bool log_says_port_in_use(const fs::path& path, std::uintmax_t offset);

//! key=value lines: the small metadata file attach() reads back.
Status write_meta(const fs::path& path, const std::map<std::string, std::string>& values);
Result<std::map<std::string, std::string>> read_meta(const fs::path& path);
//! A metadata value as a positive integer, or an Error naming the file.
Result<int> meta_int(const std::map<std::string, std::string>& meta, const std::string& key,
                     const fs::path& path);

//! True when "<dir>/.s.PGSQL.<port>" fits into a unix socket address (107 bytes).
[[nodiscard]] bool socket_dir_fits(const fs::path& dir);
//! A conninfo value, single-quoted when it needs to be.
[[nodiscard]] std::string conninfo_value(std::string_view value);
//! "host=127.0.0.1 port=N dbname=D user=U".
[[nodiscard]] std::string loopback_conninfo(int port, const std::string& dbname,
                                            const std::string& user);

//! Runs argv (argv[0] a path) as `user` when given, else as ourselves, in "/"; waits for it.
//! stdin is /dev/null; stdout and stderr are appended to `log` when given, else are ours.
Result<int> run_as(const std::vector<std::string>& argv, const std::optional<fs::path>& log,
                   const std::optional<UserIds>& user);
//! The ids to run servers as when they differ from ours (we are root), else nothing.
Result<std::optional<UserIds>> drop_to();
using pgflip::process_alive;
//! The real uid of a live process, from /proc.
[[nodiscard]] std::optional<unsigned> process_uid(int pid);
//! The first line of a pid file as a pid, 0 when absent or malformed.
[[nodiscard]] int read_pid_file(const fs::path& path);

//! Polls every 10 ms until `ready()` is true or `timeout` passes; returns the last answer.
template <class Pred>
bool wait_until(Pred ready, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!ready()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return true;
}

}  // namespace pgflip::lab::detail
