#include "cutover/summary.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>

namespace pgflip::cutover {

namespace {

std::string outcome_sentence(const FlipResult& r) {
    const std::string to = std::string(to_string(destination(r.direction)));
    const std::string from = std::string(to_string(origin(r.direction)));
    switch (r.outcome) {
        case Outcome::completed:
            return "done: the application writes to " + to;
        case Outcome::unhealthy:
            return "on " + to + ", but the health probe failed";
        case Outcome::returned:
            return "returned: the application writes to " + from + " again";
        case Outcome::refused:
            return "refused before any pause: nothing changed";
        case Outcome::return_failed:
            return "FAILED on the way back: run the same command again";
        case Outcome::dry_run:
            return "dry run: nothing changed";
    }
    return "";
}

}  // namespace

std::string format_ms(double ms) {
    char buf[32];
    std::snprintf(buf, sizeof buf, ms < 10 ? "%.2f ms" : "%.1f ms", ms);
    return buf;
}

nlohmann::json to_json(const FlipResult& r) {
    nlohmann::json steps = nlohmann::json::array();
    for (const auto& s : r.steps) {
        nlohmann::json j = {{"step", std::string(to_string(s.step))},
                            {"ms", s.ms},
                            {"ok", s.ok},
                            {"blackout", in_blackout(s.step)}};
        if (!s.error.empty()) j["error"] = s.error;
        if (!s.detail.empty()) j["detail"] = s.detail;
        steps.push_back(j);
    }
    nlohmann::json doc = {{"run", r.run_id},
                          {"op", std::string(to_string(r.direction))},
                          {"ok", r.ok()},
                          {"outcome", std::string(to_string(r.outcome))},
                          {"on", std::string(to_string(r.on))},
                          {"blackout_ms", r.blackout_ms ? nlohmann::json(*r.blackout_ms) : nullptr},
                          {"steps", steps},
                          {"warnings", r.warnings}};
    if (r.return_ms) doc["return_ms"] = *r.return_ms;
    if (r.error) {
        doc["error"] = {{"side", std::string(to_string(r.error->side))},
                        {"message", r.error->message}};
        if (!r.error->sqlstate.empty()) doc["error"]["sqlstate"] = r.error->sqlstate;
        if (!r.error->fix.empty()) doc["error"]["fix"] = r.error->fix;
    }
    return doc;
}

std::string step_line(const StepTiming& t) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%-14s %11s  %-4s", std::string(to_string(t.step)).c_str(),
                  format_ms(t.ms).c_str(), t.ok ? "ok" : "FAIL");
    std::string out = buf;
    if (!t.detail.empty()) out += "  " + t.detail;
    if (!t.error.empty()) out += "  " + t.error;
    return out;
}

std::string render_text(const FlipResult& r) {
    std::string out = "pgflip " + std::string(to_string(r.direction)) + " (run " + r.run_id +
                      "): " + outcome_sentence(r) + "\n";
    if (r.blackout_ms) {
        out += "write blackout: " + format_ms(*r.blackout_ms) + " (PAUSE issued -> RESUME done)";
        out += r.outcome == Outcome::dry_run ? ", estimated from the timed steps\n" : "\n";
    }
    if (r.return_ms) out += "way back: " + format_ms(*r.return_ms) + "\n";
    out += "\n  step                 time  ok\n";
    for (const auto& s : r.steps) out += "  " + step_line(s) + "\n";
    if (r.error) out += "\nerror: " + r.error->str() + "\n";
    for (const auto& w : r.warnings) out += "warning: " + w + "\n";
    return out;
}

}  // namespace pgflip::cutover
