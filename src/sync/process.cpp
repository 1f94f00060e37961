#include "sync/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

extern char** environ;

namespace pgflip::sync {

namespace {

//! Our environment with `extra` added or replaced, as "KEY=value" strings.
std::vector<std::string> environment_with(const std::map<std::string, std::string>& extra) {
    std::vector<std::string> out;
    for (char** e = environ; *e != nullptr; ++e) {
        std::string entry(*e);
        std::string key = entry.substr(0, entry.find('='));
        if (extra.count(key) == 0) out.push_back(std::move(entry));
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

//! In the child: dies with its parent, stdin from /dev/null, pipes as stdout/stderr, exec.
[[noreturn]] void exec_child(const Program& program, std::vector<std::string>& argv,
                             std::vector<std::string>& envp, int out_fd, int err_fd) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    int null_fd = ::open("/dev/null", O_RDWR);
    ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd >= 0 ? out_fd : null_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    auto args = pointers(argv);
    auto env = pointers(envp);
    ::execve(program.path.c_str(), args.data(), env.data());
    std::string msg = "cannot run " + program.path + ": " + std::strerror(errno) + "\n";
    [[maybe_unused]] ssize_t written = ::write(STDERR_FILENO, msg.data(), msg.size());
    ::_exit(127);
}

//! Reads both pipes until they close or the deadline passes; false on the deadline.
bool drain(int out_fd, int err_fd, ProgramResult& result, pg::Deadline deadline) {
    pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
    std::string* sinks[2] = {&result.out, &result.err};
    char buf[65536];
    while (fds[0].fd >= 0 || fds[1].fd >= 0) {
        auto left = std::chrono::duration_cast<pg::milliseconds>(deadline - pg::Clock::now());
        if (left.count() <= 0) return false;
        int rc = ::poll(fds, 2, static_cast<int>(std::min<long long>(left.count(), 1000)));
        if (rc < 0 && errno != EINTR) return false;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
            ssize_t n = ::read(fds[i].fd, buf, sizeof buf);
            if (n > 0) {
                sinks[i]->append(buf, static_cast<size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(fds[i].fd);
                fds[i].fd = -1;
            }
        }
    }
    return true;
}

}  // namespace

Result<ProgramResult> run_program(const Program& program, Side side, pg::Deadline deadline) {
    int out_pipe[2] = {-1, -1};
    int err_pipe[2] = {-1, -1};
    if ((program.capture_stdout && ::pipe2(out_pipe, O_CLOEXEC) != 0) ||
        ::pipe2(err_pipe, O_CLOEXEC) != 0) {
        return make_error(Side::local,
                          "cannot create a pipe: " + std::string(std::strerror(errno)));
    }
    std::vector<std::string> argv = {program.path};
    argv.insert(argv.end(), program.args.begin(), program.args.end());
    std::vector<std::string> envp = environment_with(program.env);
    pid_t pid = ::fork();
    if (pid < 0)
        return make_error(Side::local, "fork failed: " + std::string(std::strerror(errno)));
    if (pid == 0) exec_child(program, argv, envp, out_pipe[1], err_pipe[1]);
    if (out_pipe[1] >= 0) ::close(out_pipe[1]);
    ::close(err_pipe[1]);
    ProgramResult result;
    bool finished = drain(out_pipe[0], err_pipe[0], result, deadline);
    if (!finished) ::kill(pid, SIGKILL);
    for (int fd : {out_pipe[0], err_pipe[0]}) {
        if (fd >= 0) ::close(fd);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    std::string name = program.path.substr(program.path.rfind('/') + 1);
    if (!finished) {
        return make_error(side, name + " did not finish before its deadline and was killed",
                          "look at what it waits for on the server (pg_stat_activity)");
    }
    result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result;
}

ChildConnection child_connection(const pg::Conninfo& info, const std::string& application_name) {
    pg::Conninfo copy = info;
    ChildConnection child;
    if (info.has_password()) child.env["PGPASSWORD"] = info.password();
    copy.set("password", "");
    copy.set("application_name", application_name);
    child.dsn = copy.secret_string();
    child.env["PGAPPNAME"] = application_name;
    return child;
}

std::string stderr_tail(const std::string& err, int lines) {
    std::vector<std::string> kept;
    std::istringstream in(err);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) kept.push_back(line);
    }
    std::string out;
    size_t first = kept.size() > static_cast<size_t>(lines) ? kept.size() - lines : 0;
    for (size_t i = first; i < kept.size(); ++i) {
        if (!out.empty()) out += " | ";
        out += kept[i];
    }
    return pg::redact_secrets(out);
}

}  // namespace pgflip::sync
