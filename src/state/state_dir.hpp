// The state directory: one lock (a second pgflip on the same migration is refused), a JSON-lines
// journal of events with monotonic millisecond timestamps, and small JSON documents written
// atomically. Nothing secret is ever written here.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip::state {

namespace fs = std::filesystem;

//! Monotonic milliseconds (CLOCK_MONOTONIC): comparable across processes on one machine.
[[nodiscard]] long long monotonic_ms();

//! An open, locked state directory.
class StateDir {
  public:
    //! Creates the directory when missing and takes its lock, or says who holds it.
    static Result<StateDir> open(const fs::path& path);
    StateDir(StateDir&&) noexcept;
    StateDir& operator=(StateDir&&) noexcept;
    StateDir(const StateDir&) = delete;
    ~StateDir();

    [[nodiscard]] const fs::path& path() const { return path_; }
    [[nodiscard]] fs::path journal_path() const { return path_ / "journal.jsonl"; }

    //! Appends one event: {"t_ms": monotonic, "ts": wall ISO-8601, "event": name, ...fields}.
    Status record(const std::string& event, const nlohmann::json& fields);
    Status record(const std::string& event);

    //! Small documents (state of a phase), written atomically (temp file + rename + fsync).
    Status save(const std::string& name, const nlohmann::json& doc);
    //! The document, or null json when absent.
    Result<nlohmann::json> load(const std::string& name) const;

  private:
    StateDir() = default;
    fs::path path_;
    int lock_fd_ = -1;
};

//! Reads every event of a journal (for report/status; needs no lock).
Result<std::vector<nlohmann::json>> read_journal(const fs::path& journal);

}  // namespace pgflip::state
