#include "catalog/pg_dump.hpp"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

extern char** environ;

namespace pgflip::catalog {

namespace fs = std::filesystem;

namespace {

//! Runs `path --version` without a shell and returns what it printed, if it exited 0.
std::optional<std::string> version_output(const std::string& path) {
    int fds[2];
    if (::pipe(fds) != 0) return std::nullopt;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    std::string arg0 = path;
    std::string arg1 = "--version";
    char* argv[] = {arg0.data(), arg1.data(), nullptr};
    pid_t pid = 0;
    int rc = ::posix_spawn(&pid, path.c_str(), &actions, nullptr, argv, environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(fds[1]);
    std::string out;
    char buf[256];
    for (ssize_t n; rc == 0 && (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
        out.append(buf, static_cast<size_t>(n));
    }
    ::close(fds[0]);
    if (rc != 0) return std::nullopt;
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::nullopt;
    }
    return out;
}

bool executable(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

//! Candidate paths: Debian's versioned directories first (sorted), then PATH order.
std::vector<std::string> candidates() {
    std::vector<std::string> out;
    std::error_code ec;
    std::vector<fs::path> versioned;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        versioned.push_back(entry.path() / "bin" / "pg_dump");
    }
    std::sort(versioned.begin(), versioned.end());
    for (const auto& p : versioned) out.push_back(p.string());
    const char* path_env = std::getenv("PATH");
    std::string rest = path_env != nullptr ? path_env : "";
    for (size_t start = 0; start <= rest.size();) {
        size_t end = rest.find(':', start);
        if (end == std::string::npos) end = rest.size();
        if (end > start)
            out.push_back((fs::path(rest.substr(start, end - start)) / "pg_dump").string());
        start = end + 1;
    }
    return out;
}

}  // namespace

std::optional<PgDump> parse_pg_dump_version(const std::string& path, const std::string& output) {
    static const std::regex pattern(R"(pg_dump \(PostgreSQL\) (\d+)(\.\d+|[a-z]+\d*)?)");
    std::smatch m;
    if (!std::regex_search(output, m, pattern)) return std::nullopt;
    return PgDump{path, std::atoi(m[1].str().c_str()), m[1].str() + m[2].str()};
}

std::vector<PgDump> find_pg_dumps(const std::string& configured) {
    std::vector<std::string> paths =
        configured.empty() ? candidates() : std::vector<std::string>{configured};
    std::vector<PgDump> out;
    std::set<std::string> seen;
    for (const auto& path : paths) {
        if (!executable(path)) continue;
        std::error_code ec;
        fs::path real = fs::weakly_canonical(path, ec);
        // Debian's pg_wrapper (a Perl script, slow to start) only dispatches to the versioned
        // binaries under /usr/lib/postgresql, which are probed directly.
        if (configured.empty() && real.filename() == "pg_wrapper") continue;
        if (!seen.insert(real.string()).second) continue;
        auto text = version_output(path);
        if (!text) continue;
        if (auto dump = parse_pg_dump_version(path, *text)) out.push_back(std::move(*dump));
    }
    return out;
}

std::optional<PgDump> choose_pg_dump(const std::vector<PgDump>& found, int blue_major,
                                     int green_major) {
    std::optional<PgDump> best;
    auto rank = [&](const PgDump& d) {
        if (d.major == green_major) return 0;
        return d.major < green_major ? 1 : 2;
    };
    for (const auto& d : found) {
        if (d.major < blue_major) continue;
        if (!best || rank(d) < rank(*best)) {
            best = d;
            continue;
        }
        if (rank(d) != rank(*best)) continue;
        bool better = rank(d) == 1 ? d.major > best->major : d.major < best->major;
        if (better) best = d;
    }
    return best;
}

}  // namespace pgflip::catalog
