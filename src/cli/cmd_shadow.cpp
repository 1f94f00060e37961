// pgflip shadow: read-only queries from a file or a PostgreSQL log replayed on blue and green,
// results compared; exit 0 when every query agreed, 1 on any difference, 2 on a usage error.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "pg/conninfo.hpp"
#include "shadow/replay.hpp"

namespace pgflip::cli {

namespace {

Result<std::vector<std::pair<std::string, std::string>>> parse_settings(
    const std::vector<std::string>& items) {
    std::vector<std::pair<std::string, std::string>> out;
    for (const auto& item : items) {
        const auto eq = item.find('=');
        if (eq == std::string::npos || eq == 0) {
            return make_error(Side::local, "bad --set " + item, "write --set NAME=VALUE");
        }
        out.emplace_back(item.substr(0, eq), item.substr(eq + 1));
    }
    return out;
}

//! Blue's database name, to keep only its statements from a csvlog.
std::string blue_database(const config::Config& config) {
    auto info = pg::Conninfo::parse(config.blue, Side::blue);
    return info.ok() ? info->dbname() : std::string();
}

Result<std::vector<shadow::Execution>> load(const ShadowOptions& o, const config::Config& config) {
    const std::string& path = o.queries.empty() ? o.log : o.queries;
    auto text = shadow::read_file(path);
    if (!text.ok()) return text.take_error();
    if (!o.queries.empty()) return shadow::parse_queries(*text, path);
    if (shadow::looks_like_csv_log(*text)) {
        return shadow::parse_csv_log(*text, path, blue_database(config));
    }
    return shadow::parse_stderr_log(*text, path);
}

}  // namespace

int run_shadow(const GlobalOptions& global, const ShadowOptions& options) {
    if (options.queries.empty() == options.log.empty()) {
        return report_error(make_error(Side::local, "nothing to replay",
                                       "give --queries FILE or --log POSTGRESQL_LOG"),
                            global.json, kUsage);
    }
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) return report_error(config.error(), global.json, kUsage);
    auto settings = parse_settings(options.settings);
    if (!settings.ok()) return report_error(settings.error(), global.json, kUsage);
    auto executions = load(options, *config);
    if (!executions.ok()) return report_error(executions.error(), global.json, kUsage);

    shadow::ReplayOptions replay{options.concurrency, std::chrono::milliseconds(options.timeout_ms),
                                 *settings,           options.max_examples,
                                 options.sample,      options.seed};
    auto report = shadow::replay(*config, std::move(executions).value(), replay);
    if (!report.ok()) return report_error(report.error(), global.json);
    report->source = options.queries.empty() ? options.log : options.queries;
    if (global.json) {
        print_json(shadow::to_json(*report));
    } else {
        std::fputs(shadow::render_text(*report).c_str(), stdout);
    }
    return shadow::has_differences(*report) ? kFailure : kOk;
}

}  // namespace pgflip::cli
