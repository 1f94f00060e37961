// pgflip finalize: the migration is over. Drops both subscriptions, both publications, every
// pgflip slot on either side, the fences and pgflip's own schema, then proves that no slot is
// left retaining WAL on either server.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <string>
#include <vector>

#include "config/config.hpp"
#include "cutover/replication.hpp"

namespace pgflip::cutover {

struct FinalizeReport {
    bool ok = false;
    Side on = Side::none;                   //!< where the application writes
    std::vector<std::string> done;          //!< what was dropped or restored
    std::vector<std::string> problems;      //!< what could not be
    std::vector<SlotRetention> blue_slots;  //!< slots left afterwards
    std::vector<SlotRetention> green_slots;
    std::optional<Error> error;  //!< a failure before anything was dropped
};

FinalizeReport run_finalize(const config::Config& config);

[[nodiscard]] nlohmann::json to_json(const FinalizeReport& report);
[[nodiscard]] std::string render_text(const FinalizeReport& report);

}  // namespace pgflip::cutover
