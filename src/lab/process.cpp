// Running programs as the server user. PostgreSQL and PgBouncer refuse to run as root, so when
// pgflip is root (CI) the lab forks, drops to the unprivileged "pgflip" user and execs.
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lab/detail.hpp"
#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

using detail::UserIds;

constexpr const char* server_user = "pgflip";

Error lab_error(std::string message, std::string fix = {}) {
    return make_error(Side::local, std::move(message), std::move(fix));
}

//! Owns a file descriptor.
class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd() { reset(); }
    void reset() {
        if (fd_ >= 0) ::close(fd_);
        fd_ = -1;
    }
    [[nodiscard]] int get() const { return fd_; }

  private:
    int fd_;
};

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
    ignore_failure(detail::run_process(
        {"/usr/sbin/useradd", "--system", "--user-group", "--home-dir", "/var/lib/pgflip",
         "--create-home", "--shell", "/usr/sbin/nologin", server_user},
        fs::path("/dev/null"), std::nullopt));
}

// ---- the child, between fork and exec: async-signal-safe calls only ----

//! Sends errno to the parent through the close-on-exec pipe and ends the child.
[[noreturn]] void child_fail(int report_fd) {
    const int err = errno;
    [[maybe_unused]] const ssize_t n = ::write(report_fd, &err, sizeof err);
    ::_exit(127);
}

bool child_redirect(int in_fd, int out_fd) {
    if (::dup2(in_fd, STDIN_FILENO) < 0) return false;
    if (out_fd < 0) return true;
    return ::dup2(out_fd, STDOUT_FILENO) >= 0 && ::dup2(out_fd, STDERR_FILENO) >= 0;
}

bool child_become(const std::optional<UserIds>& user) {
    if (!user) return true;
    const auto gid = static_cast<gid_t>(user->second);
    return ::setgroups(1, &gid) == 0 && ::setgid(gid) == 0 &&
           ::setuid(static_cast<uid_t>(user->first)) == 0;
}

//! Nothing of ours (client sockets, other servers' files) leaks into the program.
void child_close_on_exec() {
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

void child_reset_signals() {
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
}

[[noreturn]] void exec_child(char* const* argv, int in_fd, int out_fd, int report_fd,
                             const std::optional<UserIds>& user) {
    if (!child_redirect(in_fd, out_fd) || !child_become(user) || ::chdir("/") != 0) {
        child_fail(report_fd);
    }
    child_reset_signals();
    child_close_on_exec();
    ::execv(argv[0], argv);
    child_fail(report_fd);
}

// ---- the parent ----

Result<int> open_output(const std::optional<fs::path>& log) {
    if (!log) return -1;
    const int fd = ::open(log->c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return lab_error("could not open " + log->string() + ": " + std::strerror(errno));
    return fd;
}

//! The errno the child reported before exec, or 0 when exec succeeded (pipe closed).
int read_exec_errno(int report_fd) {
    int err = 0;
    ssize_t n = 0;
    do {
        n = ::read(report_fd, &err, sizeof err);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof err) ? err : 0;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : -1;
}

std::vector<char*> c_argv(const std::vector<std::string>& argv) {
    std::vector<char*> out;
    out.reserve(argv.size() + 1);
    // execv's signature predates const; it does not write to the strings.
    for (const auto& arg : argv) out.push_back(const_cast<char*>(arg.c_str()));
    out.push_back(nullptr);
    return out;
}

}  // namespace

namespace detail {

Result<int> run_process(const std::vector<std::string>& argv, const std::optional<fs::path>& log,
                        const std::optional<UserIds>& user) {
    if (argv.empty()) return lab_error("run_process: empty argv");
    auto out = open_output(log);
    if (!out) return out.take_error();
    const Fd out_fd(*out);
    const Fd in_fd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    int report[2];
    if (in_fd.get() < 0 || ::pipe2(report, O_CLOEXEC) != 0) {
        return lab_error(std::string("could not set up a child process: ") + std::strerror(errno));
    }
    Fd report_read(report[0]);
    Fd report_write(report[1]);
    const auto cargv = c_argv(argv);
    const pid_t pid = ::fork();
    if (pid < 0) return lab_error(std::string("fork failed: ") + std::strerror(errno));
    if (pid == 0) exec_child(cargv.data(), in_fd.get(), out_fd.get(), report_write.get(), user);
    report_write.reset();
    const int exec_errno = read_exec_errno(report_read.get());
    const int code = wait_exit_code(pid);
    if (exec_errno != 0) {
        return lab_error("could not run " + argv[0] + ": " + std::strerror(exec_errno));
    }
    return code;
}

Result<std::optional<UserIds>> drop_to() {
    if (::geteuid() != 0) return std::optional<UserIds>{};
    auto ids = server_user_ids();
    if (!ids) return ids.take_error();
    return std::optional<UserIds>{*ids};
}

bool process_alive(int pid) {
    if (pid <= 0) return false;
    if (::kill(pid, 0) != 0 && errno != EPERM) return false;
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos || paren + 2 >= stat.size()) return true;
    return stat[paren + 2] != 'Z';
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
    return detail::run_process(argv, log, *user);
}

}  // namespace pgflip::lab
