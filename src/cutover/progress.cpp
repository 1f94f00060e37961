#include "cutover/progress.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

namespace pgflip::cutover {

namespace {

std::string text_of(const nlohmann::json& event, const char* key) {
    auto it = event.find(key);
    return it != event.end() && it->is_string() ? it->get<std::string>() : std::string();
}

void apply_event(Progress& progress, const nlohmann::json& event) {
    const std::string name = text_of(event, "event");
    const auto step = parse_step(text_of(event, "step"));
    if (name == "step_start" && step) progress.started.insert(*step);
    if (name == "step_end" && step && event.value("ok", false)) progress.ended_ok.insert(*step);
    if (name == "return_start") progress.return_started = true;
    if (name == "return_end") progress.return_ended = event.value("ok", false);
    if (name == "flip_end") progress.finished = true;
}

}  // namespace

std::string_view to_string(Recovery recovery) {
    switch (recovery) {
        case Recovery::nothing:
            return "nothing";
        case Recovery::forward:
            return "forward";
        case Recovery::back_to_origin:
            return "back_to_origin";
    }
    return "nothing";
}

Recovery decide_recovery(const Progress& progress) {
    if (!progress.has_started(Step::pause)) return Recovery::nothing;
    if (progress.return_started) return Recovery::back_to_origin;
    if (progress.has_ended(Step::switch_poolers)) return Recovery::forward;
    return Recovery::back_to_origin;
}

Progress progress_from_journal(const std::vector<nlohmann::json>& events,
                               const std::string& run_id) {
    Progress progress;
    for (const auto& event : events) {
        if (!run_id.empty() && text_of(event, "run") != run_id) continue;
        if (text_of(event, "event") == "flip_start") progress = Progress{};
        apply_event(progress, event);
    }
    return progress;
}

bool apply_message(Progress& progress, const std::string& line) {
    std::istringstream in(line);
    std::string verb;
    std::string arg;
    std::string status;
    in >> verb >> arg >> status;
    if (verb == "flip") {
        progress = Progress{};
        return true;
    }
    if (verb == "done") {
        progress.finished = true;
        return true;
    }
    if (verb == "return") {
        if (arg == "start") progress.return_started = true;
        if (arg == "end") progress.return_ended = status == "ok";
        return arg == "start" || arg == "end";
    }
    const auto step = parse_step(arg);
    if (!step) return false;
    if (verb == "start") progress.started.insert(*step);
    if (verb == "end" && status == "ok") progress.ended_ok.insert(*step);
    return verb == "start" || verb == "end";
}

}  // namespace pgflip::cutover
