#include "cutover/flip_state.hpp"

#include <fstream>
#include <nlohmann/json.hpp>

namespace pgflip::cutover {

namespace {

constexpr const char* kDocument = "flip";

nlohmann::json target_json(const std::optional<pooler::Target>& t) {
    if (!t) return nullptr;
    return {{"host", t->host}, {"port", t->port}, {"dbname", t->dbname}};
}

std::optional<pooler::Target> target_from(const nlohmann::json& j) {
    if (!j.is_object()) return std::nullopt;
    return pooler::Target{j.value("host", ""), j.value("port", ""), j.value("dbname", "")};
}

std::optional<Side> side_from(const std::string& text) {
    if (text == "blue") return Side::blue;
    if (text == "green") return Side::green;
    return std::nullopt;
}

Error corrupt(const std::string& what) {
    return make_error(Side::local, "state document flip.json: " + what,
                      "inspect it; it records which side the application writes to");
}

Status read_fences(const nlohmann::json& doc, FlipState& state) {
    const nlohmann::json fences = doc.value("fences", nlohmann::json::object());
    for (const auto& [side_name, roles] : fences.items()) {
        auto side = side_from(side_name);
        if (!side || !roles.is_object()) return corrupt("bad fence entry " + side_name);
        RoleSettings settings;
        for (const auto& [role, value] : roles.items()) {
            settings[role] =
                value.is_string() ? std::optional(value.get<std::string>()) : std::nullopt;
        }
        state.fences[*side] = std::move(settings);
    }
    return {};
}

}  // namespace

const std::optional<pooler::Target>& FlipState::target(const std::string& pooler, Side side) const {
    static const std::optional<pooler::Target> none;
    auto it = targets.find(pooler);
    if (it == targets.end()) return none;
    return side == Side::blue ? it->second.blue : it->second.green;
}

void FlipState::set_target(const std::string& pooler, Side side, pooler::Target target) {
    auto& t = targets[pooler];
    (side == Side::blue ? t.blue : t.green) = std::move(target);
}

nlohmann::json to_json(const FlipState& state) {
    nlohmann::json doc = {{"primary", std::string(to_string(state.primary))}};
    doc["in_progress"] = nullptr;
    if (state.in_progress) {
        doc["in_progress"] = {{"run", state.in_progress->run_id},
                              {"direction", std::string(to_string(state.in_progress->direction))}};
    }
    nlohmann::json targets = nlohmann::json::object();
    for (const auto& [name, t] : state.targets) {
        targets[name] = {{"blue", target_json(t.blue)}, {"green", target_json(t.green)}};
    }
    doc["targets"] = targets;
    nlohmann::json fences = nlohmann::json::object();
    for (const auto& [side, roles] : state.fences) {
        nlohmann::json r = nlohmann::json::object();
        for (const auto& [role, value] : roles) r[role] = value ? nlohmann::json(*value) : nullptr;
        fences[std::string(to_string(side))] = r;
    }
    doc["fences"] = fences;
    return doc;
}

Result<FlipState> flip_state_from_json(const nlohmann::json& doc) {
    FlipState state;
    if (doc.is_null()) return state;
    if (!doc.is_object()) return corrupt("not an object");
    auto primary = side_from(doc.value("primary", "blue"));
    if (!primary) return corrupt("primary must be \"blue\" or \"green\"");
    state.primary = *primary;
    const nlohmann::json ip = doc.value("in_progress", nlohmann::json());
    if (ip.is_object()) {
        auto direction = parse_direction(ip.value("direction", ""));
        if (!direction) return corrupt("in_progress.direction is not cutover or rollback");
        state.in_progress = InProgress{ip.value("run", ""), *direction};
    }
    const nlohmann::json targets = doc.value("targets", nlohmann::json::object());
    for (const auto& [name, t] : targets.items()) {
        state.targets[name] = {target_from(t.value("blue", nlohmann::json())),
                               target_from(t.value("green", nlohmann::json()))};
    }
    PGFLIP_TRY(read_fences(doc, state));
    return state;
}

Result<FlipState> load_flip_state(const state::StateDir& dir) {
    auto doc = dir.load(kDocument);
    if (!doc.ok()) return doc.take_error();
    return flip_state_from_json(*doc);
}

Status save_flip_state(state::StateDir& dir, const FlipState& state) {
    return dir.save(kDocument, to_json(state));
}

Result<FlipState> read_flip_state_file(const std::filesystem::path& dir) {
    std::ifstream in(dir / (std::string(kDocument) + ".json"));
    if (!in) return FlipState{};
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) return corrupt("not valid JSON");
    return flip_state_from_json(doc);
}

}  // namespace pgflip::cutover
