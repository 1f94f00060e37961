#include "process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

extern char** environ;

namespace pgflip::bench {

namespace {

constexpr milliseconds poll_interval{1};  // the end of a flip window is seen this late at most
constexpr milliseconds term_grace{3000};

Error process_error(std::string message) {
    return make_error(Side::local, std::move(message));
}

//! The bench's environment with `overrides` applied, as execve wants it.
std::vector<std::string> environment(const std::map<std::string, std::string>& overrides) {
    std::vector<std::string> out;
    for (char** e = environ; *e != nullptr; ++e) {
        const std::string entry(*e);
        const auto name = entry.substr(0, entry.find('='));
        if (!overrides.contains(name)) out.push_back(entry);
    }
    for (const auto& [name, value] : overrides) out.push_back(name + "=" + value);
    return out;
}

std::vector<char*> pointers(std::vector<std::string>& strings) {
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

//! Between fork and exec: async-signal-safe calls only.
[[noreturn]] void exec_child(char* const* argv, char* const* envp, int out_fd, int err_fd) {
    ::setpgid(0, 0);
    const int null_fd = ::open("/dev/null", O_RDONLY);
    if (null_fd >= 0) ::dup2(null_fd, STDIN_FILENO);
    ::dup2(out_fd, STDOUT_FILENO);
    ::dup2(err_fd, STDERR_FILENO);
    ::execve(argv[0], argv, envp);
    const char message[] = "bench: exec failed\n";
    [[maybe_unused]] const ssize_t n = ::write(err_fd, message, sizeof message - 1);
    ::_exit(127);
}

Result<int> open_append(const fs::path& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) return process_error("cannot open " + path.string() + ": " + std::strerror(errno));
    return fd;
}

int exit_code(int status) {
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
    return -1;
}

}  // namespace

Result<Child> Child::spawn(const Command& command) {
    if (command.argv.empty()) return process_error("nothing to run");
    auto out_fd = open_append(command.output);
    if (!out_fd) return out_fd.take_error();
    auto err_fd = command.errors.empty() ? Result<int>(*out_fd) : open_append(command.errors);
    if (!err_fd) {
        ::close(*out_fd);
        return err_fd.take_error();
    }
    auto args = command.argv;
    auto env = environment(command.env);
    auto argv = pointers(args);
    auto envp = pointers(env);
    const pid_t pid = ::fork();
    if (pid == 0) exec_child(argv.data(), envp.data(), *out_fd, *err_fd);
    ::close(*out_fd);
    if (*err_fd != *out_fd) ::close(*err_fd);
    if (pid < 0) return process_error(std::string("fork failed: ") + std::strerror(errno));
    ::setpgid(pid, pid);  // also here, so a kill right after spawn reaches the group
    return Child(pid);
}

Child::Child(Child&& other) noexcept : pid_(std::exchange(other.pid_, 0)) {}

Child& Child::operator=(Child&& other) noexcept {
    if (this != &other) {
        kill_group();
        pid_ = std::exchange(other.pid_, 0);
    }
    return *this;
}

Child::~Child() {
    kill_group();
}

void Child::kill_group() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = 0;
}

Result<int> Child::wait(SteadyClock::time_point deadline) {
    if (pid_ <= 0) return process_error("the process was already waited for");
    int status = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid_, &status, WNOHANG);
        if (done == pid_) break;
        if (done < 0 && errno != EINTR) return process_error("waitpid failed");
        if (SteadyClock::now() >= deadline) {
            const int pid = pid_;
            ::kill(-pid_, SIGTERM);
            const auto grace = SteadyClock::now() + term_grace;
            while (::waitpid(pid_, &status, WNOHANG) == 0 && SteadyClock::now() < grace) {
                std::this_thread::sleep_for(poll_interval);
            }
            kill_group();
            return process_error("process " + std::to_string(pid) + " ran past its deadline");
        }
        std::this_thread::sleep_for(poll_interval);
    }
    pid_ = 0;
    return exit_code(status);
}

Result<int> run(const Command& command, milliseconds timeout) {
    auto child = Child::spawn(command);
    if (!child) return child.take_error();
    return child->wait(SteadyClock::now() + timeout);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

Status write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) return make_error(Side::local, "cannot write " + path.string());
    return {};
}

}  // namespace pgflip::bench
