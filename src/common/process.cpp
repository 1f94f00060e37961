#include "common/process.hpp"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <utility>

extern char** environ;  // NOLINT: POSIX

namespace pgflip {

namespace {

constexpr int fallback_tick_ms = 1;  //!< how often to look for the end when pidfd_open is missing
constexpr int reads_per_drain = 16;  //!< a child that writes without pause cannot hold us for ever

Error process_error(std::string message) {
    return make_error(Side::local, std::move(message));
}

std::string errno_text(int err = errno) {
    return std::strerror(err);
}

//! Owns a file descriptor.
class Fd {
  public:
    explicit Fd(int fd = -1) : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    Fd& operator=(Fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
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

//! Our environment with `extra` added or replacing variables of the same name, as "K=V".
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        if (!extra.contains(entry.substr(0, entry.find('=')))) out.push_back(std::move(entry));
    }
    for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

//! Milliseconds until `until` for poll(): 0 when past, at most 1000 s.
int ms_until(ProcessClock::time_point until) {
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(until - ProcessClock::now()).count();
    return static_cast<int>(std::clamp<long long>(left, 0, 1000000));
}

//! One captured stream: the read end of its pipe and what came through it.
struct Capture {
    Fd fd;
    std::size_t keep_last = 0;
    std::string data;

    //! Reads what is there without blocking; closes the pipe at its end.
    void drain() {
        char buf[65536];
        for (int i = 0; i < reads_per_drain && fd.get() >= 0; ++i) {
            const ssize_t n = ::read(fd.get(), buf, sizeof buf);
            if (n > 0) {
                append(buf, static_cast<std::size_t>(n));
            } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
                fd.reset();
            } else if (errno == EAGAIN) {
                return;
            }
        }
    }

    void append(const char* bytes, std::size_t n) {
        data.append(bytes, n);
        if (keep_last > 0 && data.size() > keep_last) data.erase(0, data.size() - keep_last);
    }
};

//! The descriptors the child gets as 0, 1 and 2, and the parent's ends of capture pipes.
struct Plumbing {
    Fd null;                     //!< /dev/null, read-write: stdin and discarded output
    std::vector<Fd> child_ends;  //!< pipe write ends and files, closed in the parent after fork
    int out = -1;                //!< becomes the child's stdout
    int err = -1;                //!< becomes the child's stderr
    Capture out_capture;
    Capture err_capture;
};

//! The descriptor the child writes `output` to; a pipe's read end goes to `capture`.
Result<int> child_end(const Output& output, int ours, Plumbing& plumbing, Capture& capture) {
    switch (output.kind) {
        case Output::Kind::inherit:
            return ours;
        case Output::Kind::discard:
            return plumbing.null.get();
        case Output::Kind::capture: {
            int fds[2];
            if (::pipe2(fds, O_CLOEXEC) != 0) {
                return process_error("could not set up a child process: " + errno_text());
            }
            capture.fd = Fd(fds[0]);
            capture.keep_last = output.keep_last;
            ::fcntl(fds[0], F_SETFL, O_NONBLOCK);
            plumbing.child_ends.emplace_back(fds[1]);
            return fds[1];
        }
        case Output::Kind::file: {
            const int fd =
                ::open(output.file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
            if (fd < 0) {
                const int err = errno;
                return process_error("could not open " + output.file.string() + ": " +
                                     errno_text(err));
            }
            plumbing.child_ends.emplace_back(fd);
            return fd;
        }
        case Output::Kind::merge:
            return plumbing.out;
    }
    return process_error("unknown output kind");
}

Status plumb(const ProcessSpec& spec, Plumbing& plumbing) {
    if (spec.out.kind == Output::Kind::merge) {
        return process_error("stdout cannot go where stdout goes; merge stderr instead");
    }
    plumbing.null = Fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (plumbing.null.get() < 0) {
        return process_error("could not set up a child process: " + errno_text());
    }
    auto out = child_end(spec.out, STDOUT_FILENO, plumbing, plumbing.out_capture);
    if (!out) return out.take_error();
    plumbing.out = *out;
    auto err = child_end(spec.err, STDERR_FILENO, plumbing, plumbing.err_capture);
    if (!err) return err.take_error();
    plumbing.err = *err;
    return {};
}

// ---- the child, between fork and exec: async-signal-safe calls only ----

//! Everything the child needs, prepared before fork so that it allocates nothing.
struct ChildSetup {
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    int in = -1;
    int out = -1;
    int err = -1;
    int report = -1;  //!< close-on-exec pipe: exec's errno, or nothing once exec succeeded
    bool own_group = false;
    bool own_session = false;
    bool die_with_parent = false;
    pid_t parent = 0;
    std::optional<ProcessUser> user;
    const char* cwd = nullptr;
};

//! Sends errno to the parent through the report pipe and ends the child.
[[noreturn]] void child_fail(int report_fd) {
    const int err = errno;
    [[maybe_unused]] const ssize_t n = ::write(report_fd, &err, sizeof err);
    ::_exit(127);
}

bool child_detach(const ChildSetup& s) {
    if (s.own_session && ::setsid() < 0) return false;  // also a group of its own
    if (s.own_group && !s.own_session && ::setpgid(0, 0) != 0) return false;
    if (!s.die_with_parent) return true;
    if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) return false;
    return ::getppid() == s.parent;  // else the parent died before prctl took hold
}

bool child_redirect(const ChildSetup& s) {
    return ::dup2(s.in, STDIN_FILENO) >= 0 && ::dup2(s.out, STDOUT_FILENO) >= 0 &&
           ::dup2(s.err, STDERR_FILENO) >= 0;
}

bool child_become(const ChildSetup& s) {
    if (!s.user) return true;
    const auto gid = static_cast<gid_t>(s.user->gid);
    return ::setgroups(1, &gid) == 0 && ::setgid(gid) == 0 &&
           ::setuid(static_cast<uid_t>(s.user->uid)) == 0;
}

void child_reset_signals() {
    sigset_t none;
    ::sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    ::signal(SIGPIPE, SIG_DFL);
}

//! Nothing of ours (client sockets, other children's pipes) leaks into the program.
void child_close_on_exec() {
    if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) == 0) return;
    for (int fd = 3; fd < 4096; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

[[noreturn]] void exec_child(const ChildSetup& s) {
    if (!child_detach(s) || !child_redirect(s) || !child_become(s)) child_fail(s.report);
    if (s.cwd != nullptr && ::chdir(s.cwd) != 0) child_fail(s.report);
    child_reset_signals();
    child_close_on_exec();
    ::execve(s.argv[0], s.argv, s.envp);
    child_fail(s.report);
}

// ---- the parent ----

//! The errno the child reported before exec, or 0 when exec succeeded (the pipe closed).
int read_exec_errno(int report_fd) {
    int err = 0;
    ssize_t n = 0;
    do {
        n = ::read(report_fd, &err, sizeof err);
    } while (n < 0 && errno == EINTR);
    return n == static_cast<ssize_t>(sizeof err) ? err : 0;
}

}  // namespace

std::vector<std::string> shell_argv(const std::string& command) {
    return {shell_path, "-c", command};
}

//! A child not reaped yet, with the parent's ends of its pipes.
struct Child::Running {
    pid_t pid = 0;
    Fd pidfd;  //!< readable once the child ends; -1 when the kernel lacks pidfd_open
    bool own_group = false;
    std::chrono::milliseconds grace{0};
    Capture out;
    Capture err;
    bool reaped = false;  //!< or released: nothing left for the destructor to do

    Running(pid_t child, const ProcessSpec& spec, Plumbing& plumbing)
        : pid(child),
          own_group(spec.own_group || spec.own_session),
          grace(spec.term_grace),
          out(std::move(plumbing.out_capture)),
          err(std::move(plumbing.err_capture)) {}
    Running(const Running&) = delete;
    Running& operator=(const Running&) = delete;
    ~Running() {
        if (reaped) return;
        ::kill(target(), SIGKILL);
        reap();
    }

    //! Whom signals go to: the child or its whole group.
    [[nodiscard]] pid_t target() const { return own_group ? -pid : pid; }

    //! True once the child ended; it stays a zombie (its pid, its group) until reap().
    bool exited() const {
        siginfo_t info{};
        if (::waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0) {
            return errno != EINTR;  // ECHILD: not ours to wait for any more
        }
        return info.si_pid == pid;
    }

    //! Waits until output arrives, the child ends or `until` passes, and reads the output.
    void pump(ProcessClock::time_point until) {
        pollfd fds[3] = {
            {out.fd.get(), POLLIN, 0}, {err.fd.get(), POLLIN, 0}, {pidfd.get(), POLLIN, 0}};
        int ms = ms_until(until);
        if (pidfd.get() < 0) ms = std::min(ms, fallback_tick_ms);
        ::poll(fds, 3, ms);
        out.drain();
        err.drain();
    }

    //! SIGTERM and the grace when there is one, then SIGKILL: to the group when it has its own.
    void terminate() {
        if (grace.count() > 0) {
            ::kill(target(), SIGTERM);
            const auto until = ProcessClock::now() + grace;
            while (!exited() && ProcessClock::now() < until) pump(until);
        }
        ::kill(target(), SIGKILL);  // also what the group started, when its leader already left
    }

    //! The wait status; -1 when there was none to collect.
    int reap() {
        int status = 0;
        pid_t done = 0;
        while ((done = ::waitpid(pid, &status, 0)) < 0 && errno == EINTR) {
        }
        reaped = true;
        return done == pid ? status : -1;
    }

    ProcessResult finish() {
        const int status = reap();
        ProcessResult result;
        if (status >= 0 && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
        if (status >= 0 && WIFSIGNALED(status)) {
            result.signal = WTERMSIG(status);
            result.exit_code = 128 + result.signal;
        }
        out.drain();
        err.drain();
        result.out = std::move(out.data);
        result.err = std::move(err.data);
        return result;
    }
};

Child::Child(std::unique_ptr<Running> running) : running_(std::move(running)) {}
Child::Child(Child&& other) noexcept = default;
Child& Child::operator=(Child&& other) noexcept = default;
Child::~Child() = default;

int Child::pid() const {
    return running_ ? running_->pid : 0;
}

int Child::release() {
    if (!running_) return 0;
    const int pid = running_->pid;
    running_->reaped = true;  // not ours to kill or reap any more
    running_.reset();
    return pid;
}

Result<Child> Child::spawn(const ProcessSpec& spec) {
    if (spec.argv.empty()) return process_error("nothing to run");
    Plumbing plumbing;
    PGFLIP_TRY(plumb(spec, plumbing));
    int report[2];
    if (::pipe2(report, O_CLOEXEC) != 0) {
        return process_error("could not set up a child process: " + errno_text());
    }
    Fd report_read(report[0]);
    Fd report_write(report[1]);
    auto argv = spec.argv;
    auto envp = environment_with(spec.env);
    const auto argv_p = pointers(argv);
    const auto envp_p = pointers(envp);
    const ChildSetup setup{.argv = argv_p.data(),
                           .envp = envp_p.data(),
                           .in = plumbing.null.get(),
                           .out = plumbing.out,
                           .err = plumbing.err,
                           .report = report_write.get(),
                           .own_group = spec.own_group,
                           .own_session = spec.own_session,
                           .die_with_parent = spec.die_with_parent,
                           .parent = ::getpid(),
                           .user = spec.user,
                           .cwd = spec.cwd.empty() ? nullptr : spec.cwd.c_str()};
    const pid_t pid = ::fork();
    if (pid < 0) return process_error("fork failed: " + errno_text());
    if (pid == 0) exec_child(setup);
    auto running = std::make_unique<Running>(pid, spec, plumbing);
    report_write.reset();
    plumbing.child_ends.clear();  // the child holds them now; their ends must come from it
    const int exec_errno = read_exec_errno(report_read.get());
    if (exec_errno != 0) {
        running->reap();
        return process_error("could not run " + spec.argv[0] + ": " + errno_text(exec_errno));
    }
    running->pidfd = Fd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
    return Child(std::move(running));
}

Result<ProcessResult> Child::wait(ProcessClock::time_point deadline) {
    if (!running_) return process_error("the process was already waited for");
    Running& r = *running_;
    bool killed = false;
    while (!r.exited()) {
        if (ProcessClock::now() >= deadline) {
            r.terminate();
            killed = true;
            break;
        }
        r.pump(deadline);
    }
    ProcessResult result = r.finish();
    result.killed = killed;
    running_.reset();
    return result;
}

Result<ProcessResult> run_process(const ProcessSpec& spec, ProcessClock::time_point deadline) {
    auto child = Child::spawn(spec);
    if (!child) return child.take_error();
    return child->wait(deadline);
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

}  // namespace pgflip
