// pgflip verify: schema, sequences and data of blue and green compared; exit 0 when equal,
// 1 on any difference (or when verify could not finish), 2 on a usage error.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "state/state_dir.hpp"
#include "verify/verify.hpp"

namespace pgflip::cli {

namespace {

constexpr int default_max_jobs = 4;

Result<verify::Options> to_verify_options(const VerifyOptions& o, const config::Config& config) {
    verify::Options v;
    const bool any = o.schema || o.sequences || o.data;
    v.schema = !any || o.schema;
    v.sequences = !any || o.sequences;
    v.data = !any || o.data;
    for (const auto& text : o.tables) {
        auto pattern = verify::parse_table_pattern(text);
        if (!pattern) {
            return make_error(Side::local, "bad table pattern: " + text,
                              "write table or schema.table; double-quote names with dots");
        }
        v.data_options.tables.push_back(*pattern);
    }
    auto& data = v.data_options;
    data.jobs = o.jobs > 0 ? o.jobs : std::min(config.jobs, default_max_jobs);
    data.table.show_values = o.show_values;
    data.table.max_rows = o.max_rows;
    data.table.drill.rounds = o.rounds;
    data.table.drill.lag_timeout = std::chrono::seconds(o.lag_timeout_s);
    return v;
}

verify::Progress::Mode progress_mode(const GlobalOptions& global) {
    if (global.json) return verify::Progress::Mode::quiet;
    return stdout_is_terminal() ? verify::Progress::Mode::bar : verify::Progress::Mode::lines;
}

//! Keeps the verdict in the journal when the state directory is free (verify only reads, so
//! it still runs while another pgflip holds the lock).
void journal(const config::Config& config, const verify::Report& report, int verbose) {
    auto dir = state::StateDir::open(config.state_dir);
    if (!dir.ok()) {
        if (verbose > 0)
            std::fprintf(stderr, "pgflip: not journaled: %s\n", dir.error().str().c_str());
        return;
    }
    ignore_failure(dir->record(
        "verify.done", {{"equal", !verify::has_differences(report)}, {"seconds", report.seconds}}));
}

}  // namespace

int run_verify(const GlobalOptions& global, const VerifyOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    auto verify_options = to_verify_options(options, *config);
    if (!verify_options.ok()) return report_error(verify_options.error(), global.json, kUsage);
    auto report = verify::run(*config, *verify_options, progress_mode(global));
    if (!report.ok()) return report_error(report.error(), global.json);
    journal(*config, *report, global.verbose);
    if (global.json) {
        print_json(verify::to_json(*report));
    } else {
        verify::RenderOptions render{options.show_values, options.max_rows};
        std::fputs(verify::render_text(*report, render).c_str(), stdout);
    }
    return verify::has_differences(*report) ? kFailure : kOk;
}

}  // namespace pgflip::cli
