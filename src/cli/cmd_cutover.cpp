// pgflip cutover: the flip from blue to green (cutover/session.hpp does the work).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cutover/session.hpp"

namespace pgflip::cli {

namespace {

//! The configuration flags of this run, for the watchdog it starts.
std::vector<std::string> global_args(const GlobalOptions& global) {
    std::vector<std::string> args;
    auto add = [&](const char* flag, const std::optional<std::string>& value) {
        if (value) args.insert(args.end(), {flag, *value});
    };
    add("--config", global.overrides.config_path);
    add("--blue", global.overrides.blue);
    add("--green", global.overrides.green);
    return args;
}

cutover::SessionOptions session_options(const GlobalOptions& global, const FlipOptions& options,
                                        bool rollback) {
    cutover::SessionOptions s;
    s.direction = rollback ? cutover::Direction::rollback : cutover::Direction::cutover;
    s.dry_run = options.dry_run;
    s.budget_ms = options.budget_ms;
    s.drain_timeout_ms = options.drain_timeout_ms;
    if (options.drain_policy == "abort") s.drain_policy = config::DrainPolicy::abort;
    if (options.drain_policy == "cancel") s.drain_policy = config::DrainPolicy::cancel;
    s.log_steps = global.verbose > 0;
    s.global_args = global_args(global);
    return s;
}

}  // namespace

int run_flip_command(const GlobalOptions& global, const FlipOptions& options, bool rollback) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    if (Status s = config::require_servers(*config); !s.ok()) {
        return report_error(s.error(), global.json, kUsage);
    }
    const cutover::SessionReport report =
        cutover::run_session(*config, session_options(global, options, rollback));
    if (global.json) {
        print_json(cutover::to_json(report));
    } else {
        std::fputs(cutover::render_text(report).c_str(), stdout);
    }
    return report.ok ? kOk : kFailure;
}

int run_cutover(const GlobalOptions& global, const FlipOptions& options) {
    return run_flip_command(global, options, false);
}

}  // namespace pgflip::cli
