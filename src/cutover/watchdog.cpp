#include "cutover/watchdog.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <iterator>
#include <utility>

#include "common/process.hpp"

namespace pgflip::cutover {

namespace {

constexpr int kReadyFd = 3;

Error spawn_error(const std::string& what) {
    return make_error(Side::local, "watchdog: " + what + ": " + std::strerror(errno),
                      "pgflip refuses to pause without its watchdog; check the state directory");
}

std::vector<std::string> watchdog_argv(const WatchdogSpawn& spawn) {
    std::vector<std::string> argv = {"/proc/self/exe"};
    argv.insert(argv.end(), spawn.global_args.begin(), spawn.global_args.end());
    argv.insert(argv.end(), {"--state-dir", spawn.state_dir.string(), "watchdog", "--ready-fd",
                             std::to_string(kReadyFd)});
    return argv;
}

//! Between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(char* const* argv, int pipe_in, int ready_out, int log_fd) {
    ::setsid();  // a Ctrl-C meant for pgflip must not reach its watchdog
    if (::dup2(pipe_in, STDIN_FILENO) < 0 || ::dup2(ready_out, kReadyFd) < 0 ||
        ::dup2(log_fd, STDOUT_FILENO) < 0 || ::dup2(log_fd, STDERR_FILENO) < 0) {
        ::_exit(127);
    }
    ::close_range(kReadyFd + 1, ~0U, CLOSE_RANGE_CLOEXEC);
    ::execv("/proc/self/exe", argv);
    ::_exit(127);
}

//! Reads the watchdog's first line from the ready pipe within the deadline.
Status wait_ready(int fd, Deadline deadline) {
    std::string line;
    for (;;) {
        auto left = std::chrono::duration_cast<milliseconds>(deadline - pg::Clock::now()).count();
        if (left <= 0) return make_error(Side::local, "watchdog did not get ready in time");
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left)) <= 0) continue;
        char buf[512];
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return make_error(Side::local, "watchdog exited before it was ready: " + line);
        line.append(buf, static_cast<size_t>(n));
        auto nl = line.find('\n');
        if (nl == std::string::npos) continue;
        line.resize(nl);
        if (line == "ready") return {};
        return make_error(Side::local, "watchdog could not start: " + line,
                          "see watchdog.log in the state directory");
    }
}

}  // namespace

Result<WatchdogLink> WatchdogLink::start(const WatchdogSpawn& spawn, Deadline ready_deadline) {
    ::signal(SIGPIPE, SIG_IGN);  // a dead watchdog must not take pgflip with it
    int to_child[2];
    int ready[2];
    if (::pipe2(to_child, O_CLOEXEC) != 0) return spawn_error("pipe");
    if (::pipe2(ready, O_CLOEXEC) != 0) return spawn_error("pipe");
    const auto log = spawn.state_dir / "watchdog.log";
    const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log_fd < 0) return spawn_error("cannot open " + log.string());
    std::vector<std::string> args = watchdog_argv(spawn);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    const pid_t pid = ::fork();
    if (pid == 0) exec_child(argv.data(), to_child[0], ready[1], log_fd);
    ::close(to_child[0]);
    ::close(ready[1]);
    ::close(log_fd);
    if (pid < 0) {
        ::close(to_child[1]);
        ::close(ready[0]);
        return spawn_error("fork");
    }
    WatchdogLink link(to_child[1], pid);
    Status ok = wait_ready(ready[0], ready_deadline);
    ::close(ready[0]);
    if (!ok.ok()) {
        link.done();
        return ok.take_error();
    }
    return link;
}

WatchdogLink::WatchdogLink(WatchdogLink&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), pid_(std::exchange(other.pid_, 0)) {}

WatchdogLink& WatchdogLink::operator=(WatchdogLink&& other) noexcept {
    if (this != &other) {
        close_pipe();
        fd_ = std::exchange(other.fd_, -1);
        pid_ = std::exchange(other.pid_, 0);
    }
    return *this;
}

WatchdogLink::~WatchdogLink() {
    close_pipe();
}

void WatchdogLink::close_pipe() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

void WatchdogLink::send(std::string_view line) {
    if (fd_ < 0) return;
    std::string text(line);
    text += '\n';
    // One write of a short line to a pipe is atomic; a failure means the watchdog is gone.
    [[maybe_unused]] const ssize_t n = ::write(fd_, text.data(), text.size());
}

void WatchdogLink::done() {
    send("done");
    close_pipe();
    // Reap it when it has already exited; otherwise init does (it was setsid()'d).
    if (pid_ > 0) ::waitpid(pid_, nullptr, WNOHANG);
}

int live_watchdog_pid(const std::filesystem::path& state_dir) {
    std::ifstream in(state_dir / "watchdog.pid");
    int pid = 0;
    if (!(in >> pid) || pid <= 0) return 0;
    return process_alive(pid) ? pid : 0;
}

}  // namespace pgflip::cutover
