// pgflip finalize: tear the migration's replication down and prove nothing retains WAL.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cutover/finalize.hpp"

namespace pgflip::cli {

int run_finalize(const GlobalOptions& global) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    if (Status s = config::require_servers(*config); !s.ok()) {
        return report_error(s.error(), global.json, kUsage);
    }
    const cutover::FinalizeReport report = cutover::run_finalize(*config);
    if (global.json) {
        print_json(cutover::to_json(report));
    } else {
        std::fputs(cutover::render_text(report).c_str(), stdout);
    }
    return report.ok ? kOk : kFailure;
}

}  // namespace pgflip::cli
