// pgflip report: the last cutover or rollback from the journal, as text, JSON or HTML.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cutover/report.hpp"
#include "state/state_dir.hpp"

namespace pgflip::cli {

int run_report(const GlobalOptions& global, const ReportOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    // The journal needs no lock: report works while a flip runs, and never blocks one.
    auto events = state::read_journal(std::filesystem::path(config->state_dir) / "journal.jsonl");
    if (!events.ok()) return report_error(events.error(), global.json);
    auto report = cutover::build_report(*events);
    if (!report.ok()) return report_error(report.error(), global.json);
    const std::string format = global.json ? "json" : options.format;
    std::string text;
    if (format == "json") {
        text = cutover::to_json(*report).dump(2) + "\n";
    } else if (format == "html") {
        text = cutover::render_html(*report);
    } else {
        text = cutover::render_text(*report);
    }
    if (options.output.empty()) {
        std::fputs(text.c_str(), stdout);
        return kOk;
    }
    std::ofstream out(options.output, std::ios::trunc);
    out << text;
    if (!out) {
        return report_error(make_error(Side::local, "cannot write " + options.output), global.json);
    }
    return kOk;
}

}  // namespace pgflip::cli
