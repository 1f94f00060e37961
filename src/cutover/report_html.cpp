// The HTML form of pgflip report: one page, inline CSS and SVG, nothing fetched from anywhere.
#include <algorithm>
#include <cstdio>

#include "cutover/report.hpp"
#include "cutover/summary.hpp"

namespace pgflip::cutover {

namespace {

constexpr double kChartWidth = 760;
constexpr double kLabelWidth = 130;
constexpr double kRowHeight = 22;

constexpr const char* kStyle = R"(
body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:960px;color:#1b1f24}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}
table{border-collapse:collapse;margin:.6em 0}td,th{padding:.2em .8em;border-bottom:1px solid #ddd;
text-align:left}td.num{text-align:right;font-variant-numeric:tabular-nums}
.ok{color:#1a7f37}.fail{color:#cf222e;font-weight:600}.big{font-size:1.6em;font-weight:600}
.note{color:#57606a}svg text{font:11px system-ui,sans-serif}
)";

std::string esc(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

//! A Gantt chart of `steps` between `from` and `to` ms (from the flip's start).
std::string gantt(const std::vector<ReportStep>& steps, double from, double to) {
    const double span = std::max(to - from, 0.001);
    const double scale = (kChartWidth - kLabelWidth - 10) / span;
    std::string out = "<svg width=\"" + num(kChartWidth) + "\" height=\"" +
                      num(kRowHeight * static_cast<double>(steps.size()) + 24) + "\" role=\"img\">";
    double y = 0;
    for (const auto& s : steps) {
        const double x = kLabelWidth + (std::clamp(s.at_ms, from, to) - from) * scale;
        const double w = std::max(1.5, std::min(s.ms, to - s.at_ms) * scale);
        const char* fill =
            !s.finished ? "#8c959f" : (!s.ok ? "#cf222e" : (s.blackout ? "#d4a72c" : "#2da44e"));
        out += "<text x=\"0\" y=\"" + num(y + 15) + "\">" + esc(s.step) + "</text>";
        out += "<rect x=\"" + num(x) + "\" y=\"" + num(y + 4) + "\" width=\"" + num(w) +
               "\" height=\"14\" fill=\"" + fill + "\"><title>" + esc(s.step) + " " +
               esc(format_ms(s.ms)) + "</title></rect>";
        out += "<text x=\"" + num(std::min(x + w + 4, kChartWidth - 60)) + "\" y=\"" + num(y + 15) +
               "\">" + esc(format_ms(s.ms)) + "</text>";
        y += kRowHeight;
    }
    out += "<text x=\"" + num(kLabelWidth) + "\" y=\"" + num(y + 16) + "\">" + num(from) +
           " ms</text><text x=\"" + num(kChartWidth - 60) + "\" y=\"" + num(y + 16) + "\">" +
           num(to) + " ms</text></svg>";
    return out;
}

std::vector<ReportStep> blackout_steps(const ReportFlip& f) {
    std::vector<ReportStep> out;
    for (const auto& s : f.steps) {
        if (s.blackout) out.push_back(s);
    }
    return out;
}

std::string flip_section(const ReportFlip& f) {
    std::string out = "<h2>" + esc(f.op) + (f.dry_run ? " (dry run)" : "") + " &middot; run " +
                      esc(f.run) + "</h2><p>" + esc(f.started) + " &middot; outcome <b>" +
                      esc(f.outcome) + "</b>" +
                      (f.on.empty() ? "" : ", application on " + esc(f.on)) + "</p>";
    out += "<p>write blackout (PAUSE issued &rarr; RESUME done): <span class=\"big\">" +
           (f.blackout_ms ? esc(format_ms(*f.blackout_ms)) : std::string("-")) + "</span>" +
           (f.return_ms ? " &middot; way back " + esc(format_ms(*f.return_ms)) : "") + "</p>";
    if (!f.error.empty()) out += "<p class=\"fail\">" + esc(f.error) + "</p>";
    if (!f.steps.empty()) {
        const auto& last = f.steps.back();
        out += gantt(f.steps, 0, last.at_ms + last.ms);
        auto blackout = blackout_steps(f);
        if (!blackout.empty()) {
            out +=
                "<h3>the blackout, zoomed</h3>" +
                gantt(blackout, blackout.front().at_ms, blackout.back().at_ms + blackout.back().ms);
        }
    }
    out += "<table><tr><th>start</th><th>step</th><th>time</th><th></th><th>notes</th></tr>";
    for (const auto& s : f.steps) {
        out +=
            "<tr><td class=\"num\">" + num(s.at_ms) + "</td><td>" + esc(s.step) +
            (s.blackout ? " *" : "") + "</td><td class=\"num\">" +
            (s.finished ? esc(format_ms(s.ms)) : "-") + "</td><td class=\"" +
            (s.ok && s.finished ? "ok\">ok" : "fail\">" + std::string(s.finished ? "FAIL" : "--")) +
            "</td><td class=\"note\">" + esc(s.detail + (s.error.empty() ? "" : " " + s.error)) +
            "</td></tr>";
    }
    out += "</table><p class=\"note\">* inside the write blackout</p>";
    for (const auto& w : f.warnings) out += "<p class=\"note\">warning: " + esc(w) + "</p>";
    return out;
}

std::string lag_section(const std::vector<LagSample>& lag) {
    if (lag.empty()) return "";
    std::string out = "<h2>replication lag</h2>";
    if (lag.size() >= 2) {
        double max_bytes = 1;
        for (const auto& s : lag) max_bytes = std::max(max_bytes, static_cast<double>(s.bytes));
        const double t0 = lag.front().at_ms;
        const double span = std::max(lag.back().at_ms - t0, 1.0);
        std::string points;
        for (const auto& s : lag) {
            points += num(10 + (s.at_ms - t0) / span * (kChartWidth - 20)) + "," +
                      num(110 - static_cast<double>(s.bytes) / max_bytes * 100) + " ";
        }
        out += "<svg width=\"" + num(kChartWidth) +
               "\" height=\"120\"><polyline fill=\"none\" "
               "stroke=\"#0969da\" stroke-width=\"2\" points=\"" +
               points + "\"/></svg>";
    }
    out += "<table><tr><th>at</th><th>bytes behind</th><th>sentinel round trip</th></tr>";
    for (const auto& s : lag) {
        out += "<tr><td class=\"num\">+" + esc(format_ms(s.at_ms)) + "</td><td class=\"num\">" +
               std::to_string(s.bytes) + "</td><td class=\"num\">" +
               (s.round_trip_ms ? esc(format_ms(*s.round_trip_ms)) : "-") + "</td></tr>";
    }
    return out + "</table>";
}

}  // namespace

std::string render_html(const Report& r) {
    std::string out =
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>pgflip report</title><style>" +
        std::string(kStyle) + "</style></head><body><h1>pgflip report</h1><p>session started " +
        esc(r.started) + "</p>";
    for (const auto& f : r.flips) out += flip_section(f);
    for (const auto& s : r.settled) out += "<p><b>" + esc(s) + "</b></p>";
    out += lag_section(r.lag);
    return out + "</body></html>\n";
}

}  // namespace pgflip::cutover
