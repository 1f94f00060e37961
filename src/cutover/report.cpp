#include "cutover/report.hpp"

#include <nlohmann/json.hpp>

#include "cutover/summary.hpp"

namespace pgflip::cutover {

namespace {

std::string text(const nlohmann::json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
}

double number(const nlohmann::json& e, const char* key) {
    auto it = e.find(key);
    return it != e.end() && it->is_number() ? it->get<double>() : 0.0;
}

bool is_session_start(const nlohmann::json& e) {
    const std::string op = text(e, "op");
    return text(e, "event") == "run_start" && (op == "cutover" || op == "rollback");
}

//! Index of the session to report: the last real one, else the last dry run.
std::optional<size_t> pick_session(const std::vector<nlohmann::json>& events) {
    std::optional<size_t> last_any;
    std::optional<size_t> last_real;
    for (size_t i = 0; i < events.size(); ++i) {
        if (!is_session_start(events[i])) continue;
        last_any = i;
        if (!events[i].value("dry_run", false)) last_real = i;
    }
    return last_real ? last_real : last_any;
}

//! Builds the report from the events of one session.
class Builder {
  public:
    explicit Builder(Report& report) : r_(report) {}
    void take(const nlohmann::json& e);

  private:
    ReportFlip* current() { return r_.flips.empty() ? nullptr : &r_.flips.back(); }
    double since_flip(const nlohmann::json& e) const { return number(e, "t_ms") - flip_t0_; }
    void on_step_end(ReportFlip& f, const nlohmann::json& e);
    void on_flip_end(ReportFlip& f, const nlohmann::json& e);

    Report& r_;
    double session_t0_ = -1;
    double flip_t0_ = 0;
};

void Builder::on_step_end(ReportFlip& f, const nlohmann::json& e) {
    for (auto it = f.steps.rbegin(); it != f.steps.rend(); ++it) {
        if (it->step != text(e, "step") || it->finished) continue;
        it->finished = true;
        it->ms = number(e, "ms");
        it->ok = e.value("ok", false);
        it->detail = text(e, "detail");
        it->error = text(e, "error");
        return;
    }
}

void Builder::on_flip_end(ReportFlip& f, const nlohmann::json& e) {
    f.finished = true;
    f.outcome = text(e, "outcome");
    f.on = text(e, "on");
    if (e.contains("blackout_ms") && e["blackout_ms"].is_number())
        f.blackout_ms = number(e, "blackout_ms");
    if (e.contains("return_ms")) f.return_ms = number(e, "return_ms");
    if (e.contains("error") && e["error"].is_object()) f.error = text(e["error"], "message");
    if (e.contains("warnings") && e["warnings"].is_array()) {
        for (const auto& w : e["warnings"]) f.warnings.push_back(w.get<std::string>());
    }
}

void Builder::take(const nlohmann::json& e) {
    const std::string name = text(e, "event");
    if (session_t0_ < 0) {
        session_t0_ = number(e, "t_ms");
        r_.started = text(e, "ts");
    }
    if (name == "flip_start") {
        flip_t0_ = number(e, "t_ms");
        ReportFlip f;
        f.run = text(e, "run");
        f.op = text(e, "op");
        f.outcome = "interrupted";
        f.started = text(e, "ts");
        f.dry_run = e.value("dry_run", false);
        r_.flips.push_back(std::move(f));
        return;
    }
    if (name == "lag_sample") {
        LagSample s{number(e, "t_ms") - session_t0_, static_cast<long long>(number(e, "bytes")),
                    std::nullopt};
        if (e.contains("round_trip_ms")) s.round_trip_ms = number(e, "round_trip_ms");
        r_.lag.push_back(s);
        return;
    }
    if (name == "settle_end") {
        r_.settled.push_back(std::string(e.value("ok", false) ? "settled " : "settle FAILED ") +
                             text(e, "recovery") + ", on " + text(e, "on") +
                             (e.contains("error") ? ": " + text(e, "error") : ""));
        return;
    }
    ReportFlip* f = current();
    if (f == nullptr || text(e, "run") != f->run) return;
    if (name == "step_start") {
        ReportStep s;
        s.step = text(e, "step");
        s.at_ms = since_flip(e);
        s.blackout = s.step != "preconditions" && s.step != "health" && s.step != "cleanup";
        f->steps.push_back(s);
    } else if (name == "step_end") {
        on_step_end(*f, e);
    } else if (name == "return_start") {
        f->return_at_ms = since_flip(e);
    } else if (name == "flip_end") {
        on_flip_end(*f, e);
    }
}

nlohmann::json step_json(const ReportStep& s) {
    nlohmann::json j = {{"step", s.step}, {"at_ms", s.at_ms},       {"ms", s.ms},
                        {"ok", s.ok},     {"blackout", s.blackout}, {"finished", s.finished}};
    if (!s.detail.empty()) j["detail"] = s.detail;
    if (!s.error.empty()) j["error"] = s.error;
    return j;
}

std::string opt_ms(const std::optional<double>& ms) {
    return ms ? format_ms(*ms) : "-";
}

}  // namespace

Result<Report> build_report(const std::vector<nlohmann::json>& events) {
    auto start = pick_session(events);
    if (!start) {
        return make_error(Side::local, "the journal holds no cutover or rollback yet",
                          "run pgflip cutover (or pgflip cutover --dry-run) first");
    }
    Report report;
    Builder builder(report);
    for (size_t i = *start; i < events.size(); ++i) {
        if (i > *start && is_session_start(events[i])) break;
        builder.take(events[i]);
    }
    return report;
}

nlohmann::json to_json(const Report& r) {
    nlohmann::json flips = nlohmann::json::array();
    for (const auto& f : r.flips) {
        nlohmann::json steps = nlohmann::json::array();
        for (const auto& s : f.steps) steps.push_back(step_json(s));
        nlohmann::json j = {{"run", f.run},           {"op", f.op},
                            {"outcome", f.outcome},   {"on", f.on},
                            {"started", f.started},   {"dry_run", f.dry_run},
                            {"finished", f.finished}, {"steps", steps},
                            {"warnings", f.warnings}};
        j["blackout_ms"] = f.blackout_ms ? nlohmann::json(*f.blackout_ms) : nullptr;
        if (f.return_ms) j["return_ms"] = *f.return_ms;
        if (!f.error.empty()) j["error"] = f.error;
        flips.push_back(j);
    }
    nlohmann::json lag = nlohmann::json::array();
    for (const auto& s : r.lag) {
        nlohmann::json j = {{"at_ms", s.at_ms}, {"bytes", s.bytes}};
        if (s.round_trip_ms) j["round_trip_ms"] = *s.round_trip_ms;
        lag.push_back(j);
    }
    return {{"started", r.started}, {"flips", flips}, {"settled", r.settled}, {"lag", lag}};
}

std::string render_text(const Report& r) {
    std::string out = "pgflip report: session started " + r.started + "\n";
    for (const auto& f : r.flips) {
        out += "\n" + f.op + (f.dry_run ? " (dry run)" : "") + " run " + f.run + ": " + f.outcome +
               (f.on.empty() ? "" : ", application on " + f.on) + "\n  blackout " +
               opt_ms(f.blackout_ms) + " (PAUSE issued -> RESUME done)";
        if (f.return_ms) out += ", way back " + format_ms(*f.return_ms);
        out += "\n\n     start  step                 time  ok\n";
        for (const auto& s : f.steps) {
            char buf[160];
            std::snprintf(buf, sizeof buf, "  %8.1f  %-14s %11s  %-4s%s", s.at_ms, s.step.c_str(),
                          s.finished ? format_ms(s.ms).c_str() : "-",
                          !s.finished ? "--" : (s.ok ? "ok" : "FAIL"), s.blackout ? " *" : "");
            out += buf;
            if (!s.detail.empty()) out += "  " + s.detail;
            if (!s.error.empty()) out += "  " + s.error;
            out += "\n";
        }
        if (!f.error.empty()) out += "  error: " + f.error + "\n";
        for (const auto& w : f.warnings) out += "  warning: " + w + "\n";
    }
    out += r.flips.empty() ? "" : "\n  * inside the write blackout\n";
    for (const auto& s : r.settled) out += s + "\n";
    for (const auto& s : r.lag) {
        out += "lag at +" + format_ms(s.at_ms) + ": " + std::to_string(s.bytes) + " bytes" +
               (s.round_trip_ms ? ", sentinel round trip " + format_ms(*s.round_trip_ms) : "") +
               "\n";
    }
    return out;
}

}  // namespace pgflip::cutover
