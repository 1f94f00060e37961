// Building what a flip works with: blue and green connected the way the flip uses them, the
// poolers, and both arranged as origin and destination for a direction.
#pragma once

#include <memory>
#include <utility>

#include "cutover/live_ops.hpp"

namespace pgflip::cutover {

//! Blue and green, connected in parallel and checked as a pair (catalog::connect_servers),
//! each session with synchronous_commit on (the sentinel's commit must be durable and sent).
struct Endpoints {
    Endpoint blue;
    Endpoint green;
};
Result<Endpoints> connect_endpoints(const config::Config& config, Deadline deadline);

//! Reconnects an endpoint whose connection was lost (the way back must not fail on that).
Status ensure_connected(Endpoint& endpoint, Deadline deadline);

//! A driver for every configured pooler.
Result<std::vector<std::unique_ptr<pooler::Pooler>>> make_poolers(const config::Config& config);

//! The context of a flip in `direction`, taking over the endpoints and poolers.
std::unique_ptr<LiveContext> make_context(const config::Config& config, Direction direction,
                                          Endpoints endpoints,
                                          std::vector<std::unique_ptr<pooler::Pooler>> poolers,
                                          FlipState& state, Clock& clock, bool dry_run);

//! Turns a context around for the flip back (after a failed health probe).
void reverse_context(LiveContext& context);

//! Applies the end of a flip to the saved state: where the application is, which side stays
//! fenced, no flip in progress. Side::none (the way back failed) leaves the flip in progress.
void settle_state(FlipState& state, Side on);

}  // namespace pgflip::cutover
