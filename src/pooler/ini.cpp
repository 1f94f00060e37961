// The parsing mirrors PgBouncer 1.18 (libusual's parse_ini_file and loader.c's connection string
// reader): comments are lines starting with ';' or '#', keys are bare words or single-quoted,
// values run to the end of the line, and connection string parameters are separated by spaces
// with single-quoted values ('' for a quote).
#include "pooler/ini.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>
#include <memory>
#include <optional>
#include <sstream>
#include <vector>

namespace pgflip::pooler::ini {

namespace {

Error file_error(const fs::path& path, const std::string& what, int err) {
    return make_error(Side::pooler, what + " " + path.string() + ": " + std::strerror(err),
                      "pgflip needs to read the ini and create files beside it; check the " +
                          std::string("permissions of its directory"));
}

}  // namespace

//! An open temporary file beside `target`, closed and removed unless released.
class TempFile {
  public:
    explicit TempFile(const fs::path& target)
        : path_(target.parent_path() / ("." + target.filename().string() + ".pgflip-XXXXXX")) {
        std::string pattern = path_.string();
        fd_ = ::mkstemp(pattern.data());
        path_ = pattern;
    }
    TempFile(const TempFile&) = delete;
    TempFile& operator=(const TempFile&) = delete;
    ~TempFile() {
        if (fd_ >= 0) ::close(fd_);
        if (!released_) ::unlink(path_.c_str());
    }
    [[nodiscard]] int fd() const { return fd_; }
    [[nodiscard]] const fs::path& path() const { return path_; }
    //! Closes it; the file stays (it was renamed into place).
    Status close_and_keep() {
        released_ = true;
        int fd = fd_;
        fd_ = -1;
        if (::close(fd) != 0) return file_error(path_, "cannot close", errno);
        return {};
    }

  private:
    fs::path path_;
    int fd_ = -1;
    bool released_ = false;
};

namespace {

bool is_space(char c) {
    return std::isspace(static_cast<unsigned char>(c)) != 0;
}
bool is_blank(char c) {
    return c == ' ' || c == '\t';
}
bool is_key_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || std::strchr("_.-*", c) != nullptr;
}

//! One line of the file: [begin, end) without the newline.
struct Line {
    std::size_t begin = 0;
    std::size_t end = 0;
};

std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    std::size_t begin = 0;
    while (begin < text.size()) {
        std::size_t nl = text.find('\n', begin);
        std::size_t end = nl == std::string_view::npos ? text.size() : nl;
        lines.push_back({begin, end});
        begin = end + 1;
    }
    return lines;
}

//! A `key = value` line, as offsets into the text.
struct KeyValue {
    std::string key;
    std::size_t value_begin = 0;
    std::size_t value_end = 0;
};

//! Reads the key (bare or single-quoted) starting at `pos`; nullopt on a syntax error.
std::optional<std::string> read_key(std::string_view text, std::size_t& pos, std::size_t end) {
    if (pos < end && text[pos] == '\'') {
        std::size_t close = text.find('\'', pos + 1);
        if (close == std::string_view::npos || close >= end || close == pos + 1) return {};
        std::string key(text.substr(pos + 1, close - pos - 1));
        pos = close + 1;
        return key;
    }
    std::size_t start = pos;
    while (pos < end && is_key_char(text[pos])) ++pos;
    return std::string(text.substr(start, pos - start));
}

std::optional<KeyValue> parse_key_value(std::string_view text, std::size_t pos, std::size_t end) {
    auto key = read_key(text, pos, end);
    if (!key) return {};
    while (pos < end && is_blank(text[pos])) ++pos;
    if (pos >= end || text[pos] != '=') return {};
    ++pos;
    while (pos < end && is_blank(text[pos])) ++pos;
    std::size_t value_end = end;
    while (value_end > pos && is_space(text[value_end - 1])) --value_end;
    return KeyValue{*key, pos, value_end};
}

//! What a scan of the file found besides the entry: for a helpful "not found" message.
struct ScanNotes {
    bool has_include = false;
    bool has_fallback = false;  //!< a "*" entry serves databases without their own
};

//! Calls `visit` for every `key = value` line of the [databases] sections.
ScanNotes scan_databases(std::string_view text,
                         const std::function<void(const KeyValue&, int)>& visit) {
    ScanNotes notes;
    bool in_databases = false;
    int number = 0;
    for (const Line& line : split_lines(text)) {
        ++number;
        std::size_t pos = line.begin;
        while (pos < line.end && is_space(text[pos])) ++pos;
        if (pos >= line.end || text[pos] == ';' || text[pos] == '#') continue;
        std::string_view rest = text.substr(pos, line.end - pos);
        if (rest.rfind("%include", 0) == 0) {
            notes.has_include = true;
            continue;
        }
        if (text[pos] == '[') {
            std::size_t close = rest.find(']');
            in_databases =
                close != std::string_view::npos && rest.substr(1, close - 1) == "databases";
            continue;
        }
        if (!in_databases) continue;
        auto kv = parse_key_value(text, pos, line.end);
        if (!kv) continue;
        if (kv->key == "*") notes.has_fallback = true;
        visit(*kv, number);
    }
    return notes;
}

Error not_found(std::string_view name, const std::string& where, const ScanNotes& notes) {
    std::string message =
        "no entry for database \"" + std::string(name) + "\" in [databases] of " + where;
    if (notes.has_fallback) message += " (the \"*\" fallback entry serves it)";
    if (notes.has_include) message += " (%include files are not read: pgflip rewrites one file)";
    return make_error(Side::pooler, message,
                      "add \"" + std::string(name) + " = host=... port=... dbname=...\" to the " +
                          "[databases] section of " + where);
}

//! One `key=value` of a connection string, as offsets into it.
struct Param {
    std::string key;
    std::string value;      //!< unquoted
    std::size_t begin = 0;  //!< where the value starts (its opening quote, if any)
    std::size_t end = 0;    //!< one past its end (after the closing quote)
};

//! Reads a value at `pos` (quoted with '' escapes, or up to the next space).
std::optional<Param> read_value(std::string_view s, std::size_t pos) {
    Param p;
    p.begin = pos;
    if (pos < s.size() && s[pos] == '\'') {
        for (++pos;; ++pos) {
            if (pos >= s.size()) return {};
            if (s[pos] != '\'') {
                p.value += s[pos];
                continue;
            }
            if (pos + 1 < s.size() && s[pos + 1] == '\'') {
                p.value += '\'';
                ++pos;
                continue;
            }
            break;
        }
        p.end = pos + 1;
        return p;
    }
    while (pos < s.size() && s[pos] != ' ') p.value += s[pos++];
    p.end = pos;
    return p;
}

//! The parameters of a connection string; stops at the first malformed one.
std::vector<Param> parse_params(std::string_view s) {
    std::vector<Param> out;
    std::size_t pos = 0;
    for (;;) {
        while (pos < s.size() && s[pos] == ' ') ++pos;
        if (pos >= s.size()) return out;
        std::size_t key_begin = pos;
        while (pos < s.size() && s[pos] != '=' && s[pos] != ' ') ++pos;
        std::string key(s.substr(key_begin, pos - key_begin));
        while (pos < s.size() && s[pos] == ' ') ++pos;
        if (pos >= s.size() || s[pos] != '=' || key.empty()) return out;
        ++pos;
        while (pos < s.size() && s[pos] == ' ') ++pos;
        auto param = read_value(s, pos);
        if (!param) return out;
        param->key = std::move(key);
        pos = param->end;
        out.push_back(std::move(*param));
    }
}

//! A connection string value, quoted when PgBouncer would otherwise split or reject it.
std::string format_value(std::string_view value) {
    bool plain = !value.empty() && value.find_first_of(" '") == std::string_view::npos;
    if (plain) return std::string(value);
    std::string out = "'";
    for (char c : value) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

//! Gives the temporary file the target's owner and mode (pgbouncer may run as another user).
Status match_owner_and_mode(const TempFile& temp, const struct stat& target) {
    if (::fchmod(temp.fd(), target.st_mode & 07777) != 0) {
        return file_error(temp.path(), "cannot chmod", errno);
    }
    bool same_owner = target.st_uid == ::geteuid() && target.st_gid == ::getegid();
    if (!same_owner && ::fchown(temp.fd(), target.st_uid, target.st_gid) != 0) {
        Error e = file_error(temp.path(), "cannot give the rewritten ini the owner of", errno);
        e.fix = "run pgflip as root or as the ini's owner, or configure a switch_command";
        return e;
    }
    return {};
}

Status write_all(const TempFile& temp, std::string_view text) {
    while (!text.empty()) {
        ssize_t n = ::write(temp.fd(), text.data(), text.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return file_error(temp.path(), "cannot write", errno);
        text.remove_prefix(static_cast<std::size_t>(n));
    }
    if (::fsync(temp.fd()) != 0) return file_error(temp.path(), "cannot fsync", errno);
    return {};
}

Status fsync_dir(const fs::path& dir) {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) return file_error(dir, "cannot open directory", errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return file_error(dir, "cannot fsync directory", err);
    return {};
}

//! The real file behind a path (a symlinked ini is rewritten where it lives), and its stat.
Result<std::pair<fs::path, struct stat>> resolve(const fs::path& path) {
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    if (ec) return file_error(path, "cannot find", ec.value());
    struct stat st {};
    if (::stat(real.c_str(), &st) != 0) return file_error(real, "cannot stat", errno);
    return std::make_pair(real, st);
}

//! A temporary file beside the target with its owner and mode, ready to be written.
Result<std::unique_ptr<TempFile>> open_temp(const fs::path& real, const struct stat& st) {
    auto temp = std::make_unique<TempFile>(real);
    if (temp->fd() < 0) return file_error(temp->path(), "cannot create", errno);
    PGFLIP_TRY(match_owner_and_mode(*temp, st));
    return temp;
}

}  // namespace

Result<Entry> find_database(std::string_view text, std::string_view name,
                            const std::string& where) {
    std::optional<Entry> found;
    ScanNotes notes = scan_databases(text, [&](const KeyValue& kv, int line) {
        if (kv.key != name) return;
        found =
            Entry{kv.value_begin, kv.value_end,
                  std::string(text.substr(kv.value_begin, kv.value_end - kv.value_begin)), line};
    });
    if (!found) return not_found(name, where, notes);
    return *found;
}

std::vector<std::string> database_names(std::string_view text) {
    std::vector<std::string> names;
    scan_databases(text, [&](const KeyValue& kv, int) { names.push_back(kv.key); });
    return names;
}

Target target_of(std::string_view value, std::string_view entry_name) {
    Target t{"", "5432", std::string(entry_name)};
    for (const Param& p : parse_params(value)) {
        if (p.key == "host") t.host = p.value;
        if (p.key == "port") t.port = p.value;
        if (p.key == "dbname") t.dbname = p.value;
    }
    return t;
}

std::string with_target(std::string_view value, const Target& target) {
    const std::array<std::pair<const char*, const std::string*>, 3> wanted = {
        {{"host", &target.host}, {"port", &target.port}, {"dbname", &target.dbname}}};
    std::vector<Param> params = parse_params(value);
    std::string out(value);
    for (auto it = params.rbegin(); it != params.rend(); ++it) {  // back to front: offsets hold
        for (const auto& [key, new_value] : wanted) {
            if (it->key == key)
                out.replace(it->begin, it->end - it->begin, format_value(*new_value));
        }
    }
    for (const auto& [key, new_value] : wanted) {
        bool present = false;
        for (const Param& p : params) present = present || p.key == key;
        if (!present)
            out += std::string(out.empty() ? "" : " ") + key + "=" + format_value(*new_value);
    }
    return out;
}

std::string replace_value(std::string_view text, const Entry& entry, std::string_view value) {
    std::string out(text.substr(0, entry.value_begin));
    out += value;
    out += text.substr(entry.value_end);
    return out;
}

Result<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return file_error(path, "cannot read", errno);
    std::stringstream text;
    text << in.rdbuf();
    if (in.bad()) return file_error(path, "cannot read", errno);
    return text.str();
}

Staged::Staged(std::unique_ptr<TempFile> temp, fs::path target)
    : temp_(std::move(temp)), target_(std::move(target)) {}

Staged::~Staged() = default;

Status Staged::install() {
    if (!temp_) return make_error(Side::pooler, "staged file installed twice");
    if (::rename(temp_->path().c_str(), target_.c_str()) != 0) {
        return file_error(target_, "cannot rename the rewritten ini onto", errno);
    }
    Status closed = temp_->close_and_keep();
    temp_.reset();
    return closed;
}

Result<std::unique_ptr<Staged>> stage(const fs::path& path, std::string_view text) {
    auto resolved = resolve(path);
    if (!resolved) return resolved.take_error();
    auto temp = open_temp(resolved->first, resolved->second);
    if (!temp) return temp.take_error();
    PGFLIP_TRY(write_all(**temp, text));
    return std::make_unique<Staged>(std::move(*temp), resolved->first);
}

Status sync_directory(const fs::path& path) {
    std::error_code ec;
    fs::path real = fs::canonical(path, ec);
    return fsync_dir((ec ? path : real).parent_path());
}

Status write_atomically(const fs::path& path, std::string_view text) {
    auto staged = stage(path, text);
    if (!staged) return staged.take_error();
    PGFLIP_TRY((*staged)->install());
    return sync_directory(path);
}

Status check_writable(const fs::path& path) {
    auto resolved = resolve(path);
    if (!resolved) return resolved.take_error();
    auto temp = open_temp(resolved->first, resolved->second);
    if (!temp) return temp.take_error();
    return {};  // the temporary file is removed with `temp`
}

}  // namespace pgflip::pooler::ini
