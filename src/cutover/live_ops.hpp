// The flip's side effects on real servers and poolers (FlipOps): what each step of DESIGN.md §4
// sends where, with the round trips inside the blackout kept to the minimum. A dry run reads and
// times instead of changing anything.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "config/config.hpp"
#include "cutover/engine.hpp"
#include "cutover/flip_state.hpp"
#include "cutover/sequences.hpp"
#include "pg/connection.hpp"
#include "pooler/pooler.hpp"

namespace pgflip::cutover {

//! One server as the flip uses it.
struct Endpoint {
    Side side = Side::none;
    std::optional<pg::Connection> conn;  //!< synchronous_commit on
    std::string database;                //!< current_database()
    std::string conninfo;                //!< pgflip's own conninfo for it (secret)
};

//! Everything a flip works with; built by the session, owned by it, borrowed by LiveOps.
struct LiveContext {
    const config::Config& config;
    Direction direction;
    FlipNames names;
    Endpoint origin;
    Endpoint dest;
    std::vector<std::unique_ptr<pooler::Pooler>> poolers;
    std::vector<const config::Pooler*> pooler_configs;  //!< parallel to poolers
    FlipState& state;
    Clock& clock;
    bool dry_run = false;
    //! Journals an event of the running flip (lag samples); may be empty.
    std::function<void(const std::string& event, const nlohmann::json& fields)> record;
};

class LiveOps final : public FlipOps {
  public:
    //! `safety_net` runs at the end of the preconditions, before the first PAUSE (it saves the
    //! flip state and starts the watchdog); its failure refuses the flip.
    LiveOps(LiveContext& context, std::function<Status(Deadline)> safety_net);

    Status preconditions(Deadline deadline) override;
    Status pause(Deadline drain, Deadline budget) override;
    Status fence(Deadline deadline) override;
    Status catch_up(Deadline deadline) override;
    Status sequences(Deadline deadline) override;
    Status arm_reverse(Deadline deadline) override;
    Status switch_poolers(Deadline deadline) override;
    Status resume(Deadline deadline) override;
    Status health(Deadline deadline) override;
    Status cleanup(Deadline deadline) override;
    Status return_to_origin(const Progress& progress, Deadline deadline) override;
    std::string take_detail() override;

    //! Recovery of a flip whose poolers were all switched: every pooler onto the destination
    //! (again, where needed) and resumed.
    Status complete_forward(Deadline deadline);
    //! Just the pooler-side of preparation (admin connections), for recovery.
    Status prepare_poolers(Deadline deadline);

  private:
    // preconditions, one check each (preconditions.cpp)
    Status check_objects(Deadline deadline);
    Status check_forward_replication(Deadline deadline);
    Status check_schema(Deadline deadline);
    Status check_sequences(Deadline deadline);
    Status prepare_way_back(Deadline deadline);
    Status prepare_back_subscription(Deadline deadline);
    Status prepare_fence(Deadline deadline);
    Status check_transactions(Deadline deadline);
    Status prepare_targets(Deadline deadline);
    Status prepare_probes(Deadline deadline);
    Status measure_replication(Deadline deadline);

    // the way back (live_ops.cpp)
    Status restore_origin(const Progress& progress, Deadline deadline);
    Status restore_destination(const Progress& progress, Deadline deadline);
    Status pause_cancelling(Deadline drain, Deadline budget);
    Status terminate_blockers(Deadline deadline);
    Status for_all_poolers(const std::function<Status(pooler::Pooler&, size_t)>& op);
    Result<pooler::Target> target_of(size_t pooler, Side side) const;
    Status probe_one(size_t index, Deadline deadline);
    void note(std::string text);

    pg::Connection& origin() { return *ctx_.origin.conn; }
    pg::Connection& dest() { return *ctx_.dest.conn; }

    LiveContext& ctx_;
    std::function<Status(Deadline)> safety_net_;
    std::vector<std::string> roles_;                     //!< fenced on the origin
    std::vector<std::optional<pg::Connection>> probes_;  //!< through each pooler
    std::vector<SequenceValue> origin_sequences_;
    long long lag_bytes_ = 0;  //!< replication lag seen by the preconditions
    std::string detail_;
};

//! Test-only hooks (documented in docs/CUTOVER.md): PGFLIP_TEST_FAIL_HEALTH=1 makes the first
//! health probe of the process fail.
[[nodiscard]] bool test_fail_health();

}  // namespace pgflip::cutover
