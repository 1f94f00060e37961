// pgbouncer.ini as text: finding one [databases] entry, pointing it at another server while every
// other byte stays as it was, and replacing the file atomically with its owner and mode kept.
#pragma once

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "pooler/pooler.hpp"

namespace pgflip::pooler::ini {

namespace fs = std::filesystem;

//! Where one [databases] entry sits in the ini text: `name = <value>` on one line.
struct Entry {
    std::size_t value_begin = 0;  //!< byte offset of the connection string in the text
    std::size_t value_end = 0;    //!< one past its last byte (trailing blanks excluded)
    std::string value;            //!< "host=... port=... dbname=..."
    int line = 0;                 //!< 1-based, for messages
};

//! The last `name = ...` line of the [databases] sections (PgBouncer lets the last one win).
//! `%include` files are not followed; the error says so when the entry is not found.
Result<Entry> find_database(std::string_view text, std::string_view name, const std::string& where);

//! Every entry name of the [databases] sections ("*" included), in file order.
[[nodiscard]] std::vector<std::string> database_names(std::string_view text);

//! The server an entry's connection string points at, with PgBouncer's defaults filled in:
//! port 5432, dbname the entry's name, host empty (the unix socket).
[[nodiscard]] Target target_of(std::string_view value, std::string_view entry_name);

//! The connection string with host=, port= and dbname= set to `target` (appended when absent);
//! every other parameter, blank and quote stays byte for byte.
[[nodiscard]] std::string with_target(std::string_view value, const Target& target);

//! `text` with the entry's value replaced.
[[nodiscard]] std::string replace_value(std::string_view text, const Entry& entry,
                                        std::string_view value);

//! The whole file.
Result<std::string> read_file(const fs::path& path);

class TempFile;

//! A replacement for a file, written and fsynced beside it with the file's owner and mode;
//! removed again unless installed.
class Staged {
  public:
    Staged(std::unique_ptr<TempFile> temp, fs::path target);
    Staged(const Staged&) = delete;
    Staged& operator=(const Staged&) = delete;
    ~Staged();
    //! Renames it over the file: atomic; durable once sync_directory() ran.
    Status install();

  private:
    std::unique_ptr<TempFile> temp_;
    fs::path target_;  //!< the real file (a symlink resolved)
};

//! Writes `text` into a Staged replacement of `path`; a symlink is followed.
Result<std::unique_ptr<Staged>> stage(const fs::path& path, std::string_view text);

//! fsyncs the directory holding `path`, making an installed replacement durable.
Status sync_directory(const fs::path& path);

//! Replaces the file atomically: temporary file in the same directory with the original's
//! owner and mode, fsync, rename over it, fsync of the directory. A symlink is followed.
Status write_atomically(const fs::path& path, std::string_view text);

//! Proves write_atomically would work (creates, chowns and removes a temporary file).
Status check_writable(const fs::path& path);

}  // namespace pgflip::pooler::ini
