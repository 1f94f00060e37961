// Running programs as the server user. PostgreSQL and PgBouncer refuse to run as root, so when
// pgflip is root (CI) the lab runs them as the unprivileged "pgflip" user.
#include <pwd.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "common/process.hpp"
#include "lab/detail.hpp"
#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

using detail::UserIds;

constexpr const char* server_user = "pgflip";

Error lab_error(std::string message, std::string fix = {}) {
    return make_error(Side::local, std::move(message), std::move(fix));
}

std::optional<UserIds> lookup_user(const char* name) {
    passwd pw{};
    passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (::getpwnam_r(name, &pw, buf.data(), buf.size(), &found) != 0 || found == nullptr) {
        return std::nullopt;
    }
    return UserIds{pw.pw_uid, pw.pw_gid};
}

//! The same useradd as scripts/install-deps.sh; a concurrent creator winning is fine.
void create_server_user() {
    ignore_failure(detail::run_as(
        {"/usr/sbin/useradd", "--system", "--user-group", "--home-dir", "/var/lib/pgflip",
         "--create-home", "--shell", "/usr/sbin/nologin", server_user},
        fs::path("/dev/null"), std::nullopt));
}

}  // namespace

namespace detail {

Result<int> run_as(const std::vector<std::string>& argv, const std::optional<fs::path>& log,
                   const std::optional<UserIds>& user) {
    ProcessSpec spec;
    spec.argv = argv;
    spec.out = log ? Output::appended_to(*log) : Output::inherited();
    spec.err = log ? Output::with_stdout() : Output::inherited();
    if (user) spec.user = ProcessUser{user->first, user->second};
    spec.cwd = "/";
    auto run = run_process(spec);
    if (!run) return run.take_error();
    return run->exit_code;
}

Result<std::optional<UserIds>> drop_to() {
    if (::geteuid() != 0) return std::optional<UserIds>{};
    auto ids = server_user_ids();
    if (!ids) return ids.take_error();
    return std::optional<UserIds>{*ids};
}

std::optional<unsigned> process_uid(int pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        if (line.rfind("Uid:", 0) != 0) continue;
        std::istringstream fields(line.substr(4));
        unsigned uid = 0;
        if (fields >> uid) return uid;
    }
    return std::nullopt;
}

int read_pid_file(const fs::path& path) {
    std::ifstream in(path);
    long pid = 0;
    if (!(in >> pid) || pid <= 0 || pid > 1 << 22) return 0;
    return static_cast<int>(pid);
}

}  // namespace detail

Result<std::pair<unsigned, unsigned>> server_user_ids() {
    if (::geteuid() != 0) return std::pair<unsigned, unsigned>{::geteuid(), ::getegid()};
    if (auto ids = lookup_user(server_user)) return *ids;
    create_server_user();
    if (auto ids = lookup_user(server_user)) return *ids;
    return lab_error("running as root, and the server user \"pgflip\" is missing",
                     "run scripts/install-deps.sh (it creates the user)");
}

Result<int> run_as_server_user(const std::vector<std::string>& argv,
                               const std::optional<fs::path>& log) {
    auto user = detail::drop_to();
    if (!user) return user.take_error();
    return detail::run_as(argv, log, *user);
}

}  // namespace pgflip::lab
