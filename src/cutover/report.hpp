// pgflip report: the journal of the last cutover or rollback rendered as a step timeline with
// the blackout, the way back if taken, settling after a crash, and replication lag samples; as
// text, JSON, or one self-contained HTML page (inline CSS and SVG, no external assets).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip::cutover {

struct ReportStep {
    std::string step;
    double at_ms = 0;  //!< start, from the flip's start
    double ms = 0;
    bool ok = true;
    bool blackout = false;
    bool finished = false;  //!< a step_end was recorded
    std::string detail, error;
};

struct ReportFlip {
    std::string run, op, outcome, on, started;  //!< started: wall clock ISO-8601
    bool dry_run = false;
    bool finished = false;
    std::optional<double> blackout_ms, return_ms, return_at_ms;
    std::string error;
    std::vector<ReportStep> steps;
    std::vector<std::string> warnings;
};

struct LagSample {
    double at_ms = 0;  //!< from the session's start
    long long bytes = 0;
    std::optional<double> round_trip_ms;
};

struct Report {
    std::string started;  //!< wall clock of the session
    std::vector<ReportFlip> flips;
    std::vector<std::string> settled;  //!< settle_end summaries (watchdog or next run)
    std::vector<LagSample> lag;
};

//! The last cutover/rollback session in the journal (a real one over a dry run).
Result<Report> build_report(const std::vector<nlohmann::json>& events);

[[nodiscard]] nlohmann::json to_json(const Report& report);
[[nodiscard]] std::string render_text(const Report& report);
[[nodiscard]] std::string render_html(const Report& report);

}  // namespace pgflip::cutover
