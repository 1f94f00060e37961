#include "state/state_dir.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <utility>

namespace pgflip::state {

namespace {

std::string wall_iso() {
    auto now = std::chrono::system_clock::now();
    auto secs = std::chrono::system_clock::to_time_t(now);
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms.count()));
    return out;
}

Error io_error(const std::string& what, const fs::path& path) {
    return make_error(Side::local, what + " " + path.string() + ": " + std::strerror(errno),
                      "check that the state directory is writable (--state-dir)");
}

Status write_all(int fd, const std::string& data, const fs::path& path) {
    size_t done = 0;
    while (done < data.size()) {
        ssize_t n = ::write(fd, data.data() + done, data.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return io_error("cannot write", path);
        done += static_cast<size_t>(n);
    }
    return {};
}

}  // namespace

long long monotonic_ms() {
    timespec ts{};
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<long long>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

namespace {

//! The state directory holds a schema dump (which can carry passwords: user mappings, dblink
//! strings in function bodies) and the journal: only its owner may read it. A directory pgflip
//! creates, or one of the user's own, is set to 0700; one that is not the user's to change (/tmp)
//! and is open to others is refused.
Status make_private(const fs::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return io_error("cannot stat", path);
    const bool sticky = (st.st_mode & S_ISVTX) != 0;
    if ((st.st_mode & 077) == 0) return {};
    if (st.st_uid == ::geteuid() && !sticky && ::chmod(path.c_str(), 0700) == 0) return {};
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return make_error(Side::local,
                      "state directory " + path.string() + " can be read by other users (mode " +
                          mode + ") and is not pgflip's to change",
                      "choose a --state-dir of your own (pgflip creates a missing one with mode "
                      "0700): it will hold a schema dump and the migration's journal");
}

}  // namespace

Result<StateDir> StateDir::open(const fs::path& path) {
    std::error_code ec;
    fs::create_directories(path, ec);
    if (ec) {
        return make_error(Side::local,
                          "cannot create state directory " + path.string() + ": " + ec.message(),
                          "choose a writable --state-dir");
    }
    PGFLIP_TRY(make_private(path));
    StateDir dir;
    dir.path_ = path;
    fs::path lock = path / "lock";
    dir.lock_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (dir.lock_fd_ < 0) return io_error("cannot open", lock);
    if (::flock(dir.lock_fd_, LOCK_EX | LOCK_NB) != 0) {
        std::ifstream in(lock);
        std::string holder;
        std::getline(in, holder);
        return make_error(Side::local,
                          "another pgflip" + (holder.empty() ? "" : " (pid " + holder + ")") +
                              " is working on this migration (" + path.string() + " is locked)",
                          "wait for it to finish, or stop it; a second pgflip is refused");
    }
    if (::ftruncate(dir.lock_fd_, 0) != 0) return io_error("cannot write", lock);
    PGFLIP_TRY(write_all(dir.lock_fd_, std::to_string(::getpid()) + "\n", lock));
    return dir;
}

StateDir::StateDir(StateDir&& other) noexcept
    : path_(std::move(other.path_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

StateDir& StateDir::operator=(StateDir&& other) noexcept {
    if (this != &other) {
        if (lock_fd_ >= 0) ::close(lock_fd_);
        path_ = std::move(other.path_);
        lock_fd_ = std::exchange(other.lock_fd_, -1);
    }
    return *this;
}

StateDir::~StateDir() {
    if (lock_fd_ >= 0) ::close(lock_fd_);  // closing releases the flock
}

Status StateDir::record(const std::string& event) {
    return record(event, nlohmann::json::object());
}

Status StateDir::record(const std::string& event, const nlohmann::json& fields) {
    nlohmann::json line = {{"t_ms", monotonic_ms()}, {"ts", wall_iso()}, {"event", event}};
    if (fields.is_object()) {
        for (const auto& [k, v] : fields.items()) line[k] = v;
    }
    fs::path p = journal_path();
    int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("cannot open", p);
    Status s = write_all(
        fd, line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n", p);
    ::close(fd);
    return s;
}

Status StateDir::save(const std::string& name, const nlohmann::json& doc) {
    fs::path target = path_ / (name + ".json");
    fs::path tmp = path_ / (name + ".json.tmp");
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0) return io_error("cannot open", tmp);
    Status s = write_all(fd, doc.dump(2) + "\n", tmp);
    if (s.ok() && ::fsync(fd) != 0) s = io_error("cannot fsync", tmp);
    ::close(fd);
    if (!s.ok()) return s;
    if (::rename(tmp.c_str(), target.c_str()) != 0) return io_error("cannot rename", tmp);
    return {};
}

Result<nlohmann::json> StateDir::load(const std::string& name) const {
    fs::path p = path_ / (name + ".json");
    std::ifstream in(p);
    if (!in) return nlohmann::json();
    try {
        return nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        return make_error(Side::local, "corrupt state file " + p.string() + ": " + e.what(),
                          "inspect it; remove it only if you know the migration's real state");
    }
}

Result<std::vector<nlohmann::json>> read_journal(const fs::path& journal) {
    std::ifstream in(journal);
    if (!in) return make_error(Side::local, "no journal at " + journal.string());
    std::vector<nlohmann::json> events;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        auto j = nlohmann::json::parse(line, nullptr, false);
        if (!j.is_discarded()) events.push_back(std::move(j));  // a torn last line is skipped
    }
    return events;
}

}  // namespace pgflip::state
