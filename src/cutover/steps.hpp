// The vocabulary of a flip: its direction, its steps (DESIGN.md §4) and the replication objects
// it works on, named from config.name.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"

namespace pgflip::cutover {

//! cutover moves the application from blue to green; rollback from green back to blue.
enum class Direction { cutover, rollback };

[[nodiscard]] std::string_view to_string(Direction direction);
[[nodiscard]] std::optional<Direction> parse_direction(std::string_view text);
//! The side the application leaves (blue for a cutover).
[[nodiscard]] Side origin(Direction direction);
//! The side the application ends on (green for a cutover).
[[nodiscard]] Side destination(Direction direction);
[[nodiscard]] Direction reverse(Direction direction);

//! The steps of one flip, in order. pause..resume is the write blackout.
enum class Step {
    preconditions,
    pause,
    fence,
    catch_up,
    sequences,
    arm_reverse,
    switch_poolers,
    resume,
    health,
    cleanup,
};

//! Every step in the order a flip runs them.
[[nodiscard]] const std::vector<Step>& all_steps();
//! "preconditions", "pause", "fence", "catch_up", "sequences", "arm_reverse", "switch",
//! "resume", "health", "cleanup": the names in the journal and in PGFLIP_TEST_KILL_AT_STEP.
[[nodiscard]] std::string_view to_string(Step step);
[[nodiscard]] std::optional<Step> parse_step(std::string_view text);
//! True for the steps between PAUSE and RESUME (the blackout).
[[nodiscard]] bool in_blackout(Step step);

//! The replication objects of one migration. A flip from X to Y works on:
//!   old_sub on Y, subscribed to old_pub on X through old_slot (on X): disabled at the flip;
//!   back_pub on Y (exists beforehand), back_slot on Y (created at the flip), and back_sub on X
//!   (created disabled beforehand, enabled at the flip): the way back.
struct FlipNames {
    std::string old_pub, old_sub, old_slot;
    std::string back_pub, back_sub, back_slot;
};

//! Names from config.name: <name>_pub/_sub/_slot forward, <name>_reverse_pub/_sub/_slot back.
[[nodiscard]] FlipNames names_for(const std::string& name, Direction direction);

}  // namespace pgflip::cutover
