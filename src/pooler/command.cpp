#include "pooler/command.hpp"

#include <unistd.h>

#include "common/process.hpp"

namespace pgflip::pooler {

namespace {

constexpr std::size_t output_kept = 4096;  //!< bytes of output kept for the error message

Error command_error(std::string message, std::string fix = {}) {
    return make_error(Side::pooler, std::move(message), std::move(fix));
}

std::string last_line(const std::string& output) {
    std::size_t end = output.find_last_not_of(" \t\r\n");
    if (end == std::string::npos) return {};
    std::size_t begin = output.find_last_of('\n', end);
    begin = begin == std::string::npos ? 0 : begin + 1;
    std::string line = output.substr(begin, end + 1 - begin);
    return line.size() > 200 ? line.substr(0, 200) + "..." : line;
}

std::string exit_description(const ProcessResult& result) {
    if (result.signal != 0) return "was killed by signal " + std::to_string(result.signal);
    if (result.exit_code >= 0) return "exited with status " + std::to_string(result.exit_code);
    return "ended abnormally";
}

}  // namespace

Status run_command(const std::string& command, const std::map<std::string, std::string>& env,
                   pg::Deadline deadline) {
    ProcessSpec spec;
    spec.argv = shell_argv(command);
    spec.env = env;
    spec.out = Output::captured(output_kept);
    spec.err = Output::with_stdout();
    spec.own_group = true;  // the deadline kills what the command started too
    auto run = run_process(spec, deadline);
    if (!run) return command_error(run.error().message);
    if (run->killed) {
        Error e = command_error("did not finish before its deadline and was killed",
                                "make the command faster or give the cutover a larger budget");
        e.sqlstate = "57014";
        return e;
    }
    if (run->exit_code == 0) return {};
    std::string line = last_line(run->out);
    return command_error(exit_description(*run) + (line.empty() ? "" : ": " + line));
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
    if (::access(shell_path, X_OK) != 0) {
        return command_error("pooler " + config_.name + ": " + shell_path + " is missing",
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
