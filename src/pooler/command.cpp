#include "pooler/command.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <vector>

extern char** environ;  // NOLINT: POSIX

namespace pgflip::pooler {

namespace {

constexpr const char* shell = "/bin/sh";
constexpr std::size_t output_kept = 4096;  //!< bytes of output kept for the error message
constexpr int tick_ms = 5;                 //!< how often to look when pidfd_open is missing

int remaining_ms(pg::Deadline deadline) {
    auto left = std::chrono::ceil<pg::milliseconds>(deadline - pg::Clock::now()).count();
    if (left <= 0) return 0;
    return left > 1000000 ? 1000000 : static_cast<int>(left);
}

Error command_error(std::string message, std::string fix = {}) {
    return make_error(Side::pooler, std::move(message), std::move(fix));
}

//! Our environment with `extra` set (replacing variables of the same name), as "K=V" strings.
std::vector<std::string> environment(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string entry(*e);
        if (extra.count(entry.substr(0, entry.find('='))) == 0) out.push_back(std::move(entry));
    }
    for (const auto& [key, value] : extra) out.push_back(key + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

//! A child running the command in a process group of its own, its output on a pipe.
struct Child {
    pid_t pid = -1;
    int out = -1;             //!< read end of the child's stdout+stderr
    int done = -1;            //!< pidfd, readable once the child exits; -1 when the kernel lacks it
    bool out_closed = false;  //!< every writer closed the pipe (it would poll readable for ever)
    std::string output;

    Child() = default;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child() {
        if (out >= 0) ::close(out);
        if (done >= 0) ::close(done);
    }
};

Status spawn(Child& child, const std::string& command,
             const std::map<std::string, std::string>& extra) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
        return command_error("pipe failed: " + std::string(std::strerror(errno)));
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDERR_FILENO);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attr, 0);  // its own group: the deadline kills its children too
    std::vector<std::string> argv_s = {shell, "-c", command};
    std::vector<std::string> env_s = environment(extra);
    auto argv = pointers(argv_s);
    auto envp = pointers(env_s);
    int rc = posix_spawn(&child.pid, shell, &actions, &attr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(fds[1]);
    child.out = fds[0];
    if (rc != 0)
        return command_error("cannot run " + std::string(shell) + ": " + std::strerror(rc));
    ::fcntl(child.out, F_SETFL, O_NONBLOCK);
    child.done = static_cast<int>(::syscall(SYS_pidfd_open, child.pid, 0));
    return {};
}

//! Reads what the child wrote so far, keeping the last output_kept bytes.
void drain(Child& child) {
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(child.out, buf, sizeof buf);
        if (n == 0) child.out_closed = true;
        if (n <= 0) return;
        child.output.append(buf, static_cast<std::size_t>(n));
        if (child.output.size() > output_kept) {
            child.output.erase(0, child.output.size() - output_kept);
        }
    }
}

//! Waits for the child until the deadline; its exit status, or nothing when time ran out.
std::optional<int> wait_for(Child& child, pg::Deadline deadline) {
    for (;;) {
        int status = 0;
        if (::waitpid(child.pid, &status, WNOHANG) == child.pid) {
            drain(child);
            return status;
        }
        int ms = remaining_ms(deadline);
        if (ms == 0) return std::nullopt;
        pollfd fds[2] = {{child.out_closed ? -1 : child.out, POLLIN, 0}, {child.done, POLLIN, 0}};
        ::poll(fds, child.done >= 0 ? 2 : 1, child.done >= 0 ? ms : std::min(ms, tick_ms));
        drain(child);
    }
}

void kill_group(Child& child) {
    ::kill(-child.pid, SIGKILL);
    int status = 0;
    while (::waitpid(child.pid, &status, 0) < 0 && errno == EINTR) {
    }
    drain(child);
}

std::string last_line(const std::string& output) {
    std::size_t end = output.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    std::size_t begin = output.find_last_of('\n', end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    std::string line = output.substr(begin, end + 1 - begin);
    return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

std::string exit_description(int status) {
    if (WIFEXITED(status)) return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) return "was killed by signal " + std::to_string(WTERMSIG(status));
    return "ended abnormally";
}

}  // namespace

Status run_command(const std::string& command, const std::map<std::string, std::string>& env,
                   pg::Deadline deadline) {
    Child child;
    PGFLIP_TRY(spawn(child, command, env));
    auto status = wait_for(child, deadline);
    if (!status) {
        kill_group(child);
        Error e = command_error("did not finish before its deadline and was killed",
                                "make the command faster or give the cutover a larger budget");
        e.sqlstate = "57014";
        return e;
    }
    if (WIFEXITED(*status) && WEXITSTATUS(*status) == 0) return {};
    std::string line = last_line(child.output);
    return command_error(exit_description(*status) + (line.empty() ? "" : ": " + line));
}

CommandPooler::CommandPooler(config::Pooler config) : config_(std::move(config)) {}

Status CommandPooler::run(const char* what, const std::string& command,
                          std::map<std::string, std::string> env, pg::Deadline deadline) const {
    env["PGFLIP_POOLER"] = config_.name;
    Status s = run_command(command, env, deadline);
    if (s.ok()) return s;
    Error e = s.take_error();
    e.message = "pooler " + config_.name + ": " + what + " " + e.message;
    return e;
}

Status CommandPooler::prepare(pg::Deadline /*deadline*/) {
    if (config_.switch_command.empty()) {
        return command_error("pooler " + config_.name + " has no switch_command");
    }
    if (::access(shell, X_OK) != 0) {
        return command_error("pooler " + config_.name + ": " + shell + " is missing",
                             "the switch command runs through /bin/sh -c");
    }
    return {};
}

Status CommandPooler::pause(pg::Deadline drain_deadline) {
    if (config_.pause_command.empty()) return {};
    Status paused = run("pause_command", config_.pause_command, {}, drain_deadline);
    if (paused.ok()) return paused;
    ignore_failure(resume(pg::after(pg::milliseconds(5000))));  // leave it as it was
    return paused;
}

Status CommandPooler::switch_to(const Target& target, pg::Deadline deadline) {
    std::map<std::string, std::string> env = {{"PGFLIP_TARGET_HOST", target.host},
                                              {"PGFLIP_TARGET_PORT", target.port},
                                              {"PGFLIP_TARGET_DBNAME", target.dbname}};
    PGFLIP_TRY(run("switch_command", config_.switch_command, std::move(env), deadline));
    last_target_ = target;
    return {};
}

Status CommandPooler::resume(pg::Deadline deadline) {
    if (config_.resume_command.empty()) return {};
    return run("resume_command", config_.resume_command, {}, deadline);
}

Result<Target> CommandPooler::current_target(pg::Deadline /*deadline*/) {
    if (last_target_) return *last_target_;
    return command_error(
        "pooler " + config_.name +
        ": a switch command cannot tell where it points before pgflip switched it");
}

}  // namespace pgflip::pooler
