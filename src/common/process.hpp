// Running other programs: one fork/exec path for the lab's servers, setup's pg_dump/pg_restore,
// the pooler's shell commands and the benches' children. No shell unless asked for (secrets go
// in `env`, never in argv), stdin from /dev/null, no descriptor of ours leaks into the child, and
// a deadline after which the child (or its whole process group) is killed.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip {

using ProcessClock = std::chrono::steady_clock;
//! The deadline of a child that may run for as long as it likes.
inline constexpr ProcessClock::time_point no_deadline = ProcessClock::time_point::max();
//! The shell that shell_argv() runs.
inline constexpr const char* shell_path = "/bin/sh";

//! Where a child's stdout or stderr goes.
struct Output {
    enum class Kind { discard, capture, file, merge, inherit };

    Kind kind = Kind::discard;
    std::size_t keep_last = 0;   //!< capture: only the last this many bytes (0 keeps all)
    std::filesystem::path file;  //!< file: appended to, created with mode 0644 when missing

    //! To /dev/null.
    [[nodiscard]] static Output discarded() { return {}; }
    //! Into the ProcessResult; only its last `keep_last` bytes when that is not 0.
    [[nodiscard]] static Output captured(std::size_t keep_last = 0) {
        return {Kind::capture, keep_last, {}};
    }
    //! Appended to `path`.
    [[nodiscard]] static Output appended_to(std::filesystem::path path) {
        return {Kind::file, 0, std::move(path)};
    }
    //! For stderr only: wherever stdout goes (captured together in ProcessResult::out).
    [[nodiscard]] static Output with_stdout() { return {Kind::merge, 0, {}}; }
    //! Where ours goes.
    [[nodiscard]] static Output inherited() { return {Kind::inherit, 0, {}}; }
};

//! The user a child runs as; changing it needs root.
struct ProcessUser {
    unsigned uid = 0;
    unsigned gid = 0;
};

//! What to run and how. stdin is always /dev/null.
struct ProcessSpec {
    std::vector<std::string> argv;           //!< argv[0] is a path: there is no PATH search
    std::map<std::string, std::string> env;  //!< added to (or replacing in) our environment
    Output out;                              //!< stdout
    Output err;                              //!< stderr
    bool own_group = false;        //!< a process group of its own, killed whole at the deadline
    bool own_session = false;      //!< own_group, in a session of its own: no controlling terminal
    bool die_with_parent = false;  //!< SIGKILL when the spawning thread ends (PR_SET_PDEATHSIG)
    std::optional<ProcessUser> user;  //!< run as this user instead of as ourselves
    std::filesystem::path cwd;        //!< the working directory, when given; else ours
    //! At the deadline: SIGTERM, this long to exit, then SIGKILL. Zero sends SIGKILL at once.
    std::chrono::milliseconds term_grace{0};
};

//! {"/bin/sh", "-c", command}.
[[nodiscard]] std::vector<std::string> shell_argv(const std::string& command);

struct ProcessResult {
    int exit_code = -1;   //!< 128 + signal when a signal ended it
    int signal = 0;       //!< the signal that ended it, 0 when it exited
    bool killed = false;  //!< the deadline passed and we killed it (or its group)
    std::string out;      //!< stdout when captured (with stderr when that goes with stdout)
    std::string err;      //!< stderr when captured
};

//! A started child. Destroying it before wait() kills it (its group) and reaps it.
class Child {
  public:
    //! Starts `spec`; an Error (Side::local) when it could not: no such program, no fork, ...
    static Result<Child> spawn(const ProcessSpec& spec);
    Child(Child&& other) noexcept;
    Child& operator=(Child&& other) noexcept;
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;
    ~Child();

    //! Collects captured output until the child ends or `deadline` passes, then kills it as
    //! the spec says (killed is set). An Error only when it was already waited for.
    Result<ProcessResult> wait(ProcessClock::time_point deadline = no_deadline);
    //! The child's pid (its process group's id with own_group); 0 once waited for.
    [[nodiscard]] int pid() const;
    //! Lets the child run on: neither killed nor reaped by us, so it outlives us (use it with
    //! outputs that are not captured). Returns its pid; 0 when it was already waited for.
    int release();

  private:
    struct Running;
    explicit Child(std::unique_ptr<Running> running);

    std::unique_ptr<Running> running_;
};

//! Spawns and waits: the result, or an Error when the program could not start. A non-zero exit
//! or a kill at the deadline is not an Error; the caller reads the result.
Result<ProcessResult> run_process(const ProcessSpec& spec,
                                  ProcessClock::time_point deadline = no_deadline);

//! True when `pid` names a live process. A zombie (exited, not yet reaped: pid 1 may never reap
//! it) counts as dead; a process of another user that we may not signal counts as alive.
[[nodiscard]] bool process_alive(int pid);

}  // namespace pgflip
