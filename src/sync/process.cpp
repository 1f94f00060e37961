#include "sync/process.hpp"

#include <sstream>

#include "common/process.hpp"

namespace pgflip::sync {

Result<ProgramResult> run_program(const Program& program, Side side, pg::Deadline deadline) {
    ProcessSpec spec;
    spec.argv = {program.path};
    spec.argv.insert(spec.argv.end(), program.args.begin(), program.args.end());
    spec.env = program.env;
    spec.out = program.capture_stdout ? Output::captured() : Output::discarded();
    spec.err = Output::captured();
    spec.die_with_parent = true;  // a killed setup leaves no restore running on
    auto run = run_process(spec, deadline);
    if (!run) return run.take_error();
    if (run->killed) {
        const std::string name = program.path.substr(program.path.rfind('/') + 1);
        return make_error(side, name + " did not finish before its deadline and was killed",
                          "look at what it waits for on the server (pg_stat_activity)");
    }
    return ProgramResult{run->exit_code, std::move(run->out), std::move(run->err)};
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
