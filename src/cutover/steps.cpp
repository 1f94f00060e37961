#include "cutover/steps.hpp"

#include <array>
#include <utility>

namespace pgflip::cutover {

namespace {

constexpr std::array<std::pair<Step, std::string_view>, 10> kStepNames{{
    {Step::preconditions, "preconditions"},
    {Step::pause, "pause"},
    {Step::fence, "fence"},
    {Step::catch_up, "catch_up"},
    {Step::sequences, "sequences"},
    {Step::arm_reverse, "arm_reverse"},
    {Step::switch_poolers, "switch"},
    {Step::resume, "resume"},
    {Step::health, "health"},
    {Step::cleanup, "cleanup"},
}};

}  // namespace

std::string_view to_string(Direction direction) {
    return direction == Direction::cutover ? "cutover" : "rollback";
}

std::optional<Direction> parse_direction(std::string_view text) {
    if (text == "cutover") return Direction::cutover;
    if (text == "rollback") return Direction::rollback;
    return std::nullopt;
}

Side origin(Direction direction) {
    return direction == Direction::cutover ? Side::blue : Side::green;
}

Side destination(Direction direction) {
    return direction == Direction::cutover ? Side::green : Side::blue;
}

Direction reverse(Direction direction) {
    return direction == Direction::cutover ? Direction::rollback : Direction::cutover;
}

const std::vector<Step>& all_steps() {
    static const std::vector<Step> steps = [] {
        std::vector<Step> out;
        for (const auto& [step, name] : kStepNames) out.push_back(step);
        return out;
    }();
    return steps;
}

std::string_view to_string(Step step) {
    for (const auto& [s, name] : kStepNames) {
        if (s == step) return name;
    }
    return "unknown";
}

std::optional<Step> parse_step(std::string_view text) {
    for (const auto& [step, name] : kStepNames) {
        if (name == text) return step;
    }
    return std::nullopt;
}

bool in_blackout(Step step) {
    return step != Step::preconditions && step != Step::health && step != Step::cleanup;
}

FlipNames names_for(const std::string& name, Direction direction) {
    const std::string fwd_pub = name + "_pub";
    const std::string fwd_sub = name + "_sub";
    const std::string fwd_slot = name + "_slot";
    const std::string rev_pub = name + "_reverse_pub";
    const std::string rev_sub = name + "_reverse_sub";
    const std::string rev_slot = name + "_reverse_slot";
    if (direction == Direction::cutover) {
        return {fwd_pub, fwd_sub, fwd_slot, rev_pub, rev_sub, rev_slot};
    }
    return {rev_pub, rev_sub, rev_slot, fwd_pub, fwd_sub, fwd_slot};
}

}  // namespace pgflip::cutover
