// How a flip is told: the JSON document (--json, and the flip_end journal event) and the
// table for people, both leading with the blackout (PAUSE issued -> RESUME done).
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>

#include "cutover/engine.hpp"

namespace pgflip::cutover {

[[nodiscard]] nlohmann::json to_json(const FlipResult& result);
//! "fence        1.2 ms  ok    2 sessions ended"
[[nodiscard]] std::string step_line(const StepTiming& timing);
//! The human summary: outcome, blackout, one line per step, warnings.
[[nodiscard]] std::string render_text(const FlipResult& result);
//! "123.4 ms"
[[nodiscard]] std::string format_ms(double ms);

}  // namespace pgflip::cutover
