// pgflip setup: runs (or resumes) the initial sync and says what it did.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "sync/setup.hpp"

namespace pgflip::cli {

namespace {

void print_human(const sync::SetupReport& r) {
    if (r.already_complete) {
        std::printf("setup is already complete: green streams from blue through %s (slot %s)\n",
                    r.subscription.c_str(), r.slot.c_str());
        return;
    }
    std::printf("\nsetup complete in %s%s\n",
                sync::human_duration(static_cast<double>(r.total_ms) / 1000.0).c_str(),
                r.resumed ? " (resumed)" : "");
    std::printf("  copied:       %d tables, %d items (%d by this run), %s rows, %s\n", r.tables,
                r.items, r.items_copied,
                sync::human_count(static_cast<double>(r.rows_copied)).c_str(),
                sync::human_bytes(static_cast<double>(r.bytes_copied)).c_str());
    if (r.generation > 1) {
        std::printf("  snapshots:    %d (after interruptions); %zu table(s) copied again\n",
                    r.generation, r.recopied_tables.size());
    }
    std::printf(
        "  replication:  publication %s on blue -> subscription %s on green, slot %s, "
        "from %s\n",
        r.publication.c_str(), r.subscription.c_str(), r.slot.c_str(), r.consistent_point.c_str());
    std::printf("  sequences:    %d moved ahead on green\n", r.sequences_moved);
    for (const auto& [step, ms] : r.step_ms) {
        std::printf("  %-13s %s\n", (step + ":").c_str(),
                    sync::human_duration(static_cast<double>(ms) / 1000.0).c_str());
    }
    for (const auto& w : r.warnings) std::printf("  warning: %s\n", w.c_str());
    std::printf("\nnext: pgflip status --watch   (lag, then pgflip verify and pgflip cutover)\n");
}

}  // namespace

int run_setup(const GlobalOptions& global, const SetupOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    sync::SetupOptions o;
    o.jobs = options.jobs > 0 ? options.jobs : config->jobs;
    o.chunk_bytes = static_cast<long long>(options.chunk_mb) * 1024 * 1024;
    sync::Console console(stdout_is_terminal(), global.json);
    auto report = sync::run_setup(*config, o, console);
    if (!report.ok()) {
        console.clear_bar();
        return report_error(report.error(), global.json);
    }
    if (global.json) {
        print_json(sync::to_json(*report));
    } else {
        print_human(*report);
    }
    return kOk;
}

}  // namespace pgflip::cli
