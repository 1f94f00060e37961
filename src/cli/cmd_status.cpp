// pgflip status [--watch]: one report, or one every --interval seconds until interrupted.
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "sync/status.hpp"

namespace pgflip::cli {

namespace {

void show(const nlohmann::json& doc, bool json, bool redraw) {
    if (json) {
        print_json(doc);
        return;
    }
    if (redraw) std::fputs("\033[H\033[2J", stdout);  // a terminal --watch redraws in place
    std::fputs(sync::render_status(doc).c_str(), stdout);
    if (!redraw) std::fputs("\n", stdout);
    std::fflush(stdout);
}

}  // namespace

int run_status(const GlobalOptions& global, const StatusOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    std::optional<sync::LagSample> previous;
    bool redraw = options.watch && !global.json && stdout_is_terminal();
    for (;;) {
        sync::LagSample sample;
        auto doc = sync::gather_status(*config, previous, sample);
        if (!doc.ok() && !options.watch) return report_error(doc.error(), global.json);
        if (doc.ok()) {
            show(*doc, global.json, redraw);
            previous = sample;
        } else {
            report_error(doc.error(), global.json);  // --watch keeps trying
        }
        // What could be read is shown; an unreachable side or a lost slot still fails.
        if (!options.watch) return doc->value("ok", false) ? kOk : kFailure;
        std::this_thread::sleep_for(std::chrono::duration<double>(options.interval_s));
    }
}

}  // namespace pgflip::cli
