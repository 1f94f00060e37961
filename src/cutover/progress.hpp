// How far a flip got, and what a survivor (the watchdog, or the next pgflip run) must do about
// a flip that stopped half-way. Pure decisions, unit-tested exactly.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cutover/steps.hpp"

namespace pgflip::cutover {

//! Which steps of one flip started and which ended well.
struct Progress {
    std::set<Step> started;
    std::set<Step> ended_ok;
    bool return_started = false;  //!< the flip was already on its way back to the origin
    bool return_ended = false;    //!< and got there
    bool finished = false;        //!< the flip ended (flip_end recorded, or "done" sent)

    [[nodiscard]] bool has_started(Step step) const { return started.count(step) != 0; }
    [[nodiscard]] bool has_ended(Step step) const { return ended_ok.count(step) != 0; }
};

//! What to do about an interrupted flip.
enum class Recovery {
    nothing,         //!< the poolers were never paused: nothing changed that matters
    forward,         //!< every pooler was switched: resume on the destination, finish there
    back_to_origin,  //!< undo what started (switch back, disarm, unfence) and resume
};

[[nodiscard]] std::string_view to_string(Recovery recovery);

//! The rule: once every pooler has been switched, going forward is as safe as going back
//! (the way back is armed) and quicker; before that, the origin is the only safe place.
[[nodiscard]] Recovery decide_recovery(const Progress& progress);

//! The progress of the last flip of run `run_id` (every flip when empty) in journal events.
[[nodiscard]] Progress progress_from_journal(const std::vector<nlohmann::json>& events,
                                             const std::string& run_id);

//! Applies one watchdog pipe message ("start pause", "end pause ok", "return start",
//! "return end", "done", "flip <run> <direction>") to a progress; false when it is not one.
bool apply_message(Progress& progress, const std::string& line);

}  // namespace pgflip::cutover
