// Child processes of the bench (pgbench, the runbook script, pgflip itself): output to a file,
// their own process group, and a deadline, so a hung child cannot hang the bench.
#pragma once

#include <chrono>
#include <filesystem>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "common/process.hpp"
#include "common/result.hpp"

namespace pgflip::bench {

namespace fs = std::filesystem;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct Command {
    std::vector<std::string> argv;           //!< argv[0] is a path
    std::map<std::string, std::string> env;  //!< set on top of the bench's environment
    fs::path output;                         //!< stdout (and stderr), appended
    fs::path errors;                         //!< stderr apart, when given
};

//! A running child; destroying it while it runs kills its process group.
class Child {
  public:
    static Result<Child> spawn(const Command& command);

    //! The exit code (128 + signal when killed). At the deadline the process group gets
    //! SIGTERM, then SIGKILL, and the result is an Error saying so.
    Result<int> wait(SteadyClock::time_point deadline);
    [[nodiscard]] int pid() const { return child_.pid(); }

  private:
    explicit Child(pgflip::Child child) : child_(std::move(child)) {}

    pgflip::Child child_;
};

//! Spawns and waits within `timeout`: the exit code.
Result<int> run(const Command& command, milliseconds timeout);

//! The whole file, or "" when it cannot be read.
[[nodiscard]] std::string read_text(const fs::path& path);
Status write_text(const fs::path& path, const std::string& text);

}  // namespace pgflip::bench
