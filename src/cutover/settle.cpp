#include "cutover/settle.hpp"

#include <unistd.h>

#include <nlohmann/json.hpp>

namespace pgflip::cutover {

namespace {
constexpr auto kSettleTimeout = milliseconds(15000);
constexpr auto kCleanupTimeout = milliseconds(30000);
}  // namespace

std::string SettleResult::summary() const {
    std::string out = "settled (" + std::string(to_string(recovery)) + ")";
    if (ok) out += ": the application writes to " + std::string(to_string(on));
    if (!ok) out += " FAILED: " + error;
    if (!notes.empty()) out += " [" + notes + "]";
    return out;
}

nlohmann::json SettleResult::to_json() const {
    nlohmann::json j = {{"ok", ok},
                        {"recovery", std::string(to_string(recovery))},
                        {"on", std::string(to_string(on))},
                        {"ms", ms}};
    if (!error.empty()) j["error"] = error;
    if (!notes.empty()) j["notes"] = notes;
    return j;
}

Result<std::unique_ptr<Settler>> Settler::connect(const config::Config& config,
                                                  const FlipState& state, Clock& clock,
                                                  Deadline deadline) {
    if (!state.in_progress) return make_error(Side::local, "no flip in progress to settle");
    auto endpoints = connect_endpoints(config, deadline);
    if (!endpoints.ok()) return endpoints.take_error();
    auto poolers = make_poolers(config);
    if (!poolers.ok()) return poolers.take_error();
    std::unique_ptr<Settler> s(new Settler(state, clock));
    s->ctx_ = make_context(config, state.in_progress->direction, std::move(endpoints).value(),
                           std::move(poolers).value(), s->state_, clock, false);
    s->ops_ = std::make_unique<LiveOps>(*s->ctx_, nullptr);
    PGFLIP_TRY(s->ops_->prepare_poolers(deadline));
    return s;
}

SettleResult Settler::act(const Progress& progress) {
    SettleResult r;
    r.recovery = decide_recovery(progress);
    const Direction dir = state_.in_progress->direction;
    const Deadline deadline = clock_.now() + kSettleTimeout;
    Status status;
    if (r.recovery == Recovery::forward) {
        status = ops_->complete_forward(deadline);
        if (status.ok()) {
            Status cleaned = ops_->cleanup(clock_.now() + kCleanupTimeout);
            if (!cleaned.ok()) r.notes = "cleanup: " + cleaned.error().str();
        }
    } else if (r.recovery == Recovery::back_to_origin) {
        status = ops_->return_to_origin(progress, deadline);
        r.notes = ops_->take_detail();
    }
    r.ok = status.ok();
    if (!r.ok) r.error = status.error().str();
    if (r.ok) r.on = r.recovery == Recovery::forward ? destination(dir) : origin(dir);
    return r;
}

SettleResult Settler::settle(const Progress& progress, state::StateDir* dir) {
    const std::string run = state_.in_progress->run_id;
    if (dir != nullptr) {
        ignore_failure(dir->record("settle_start",
                                   {{"run", run},
                                    {"op", std::string(to_string(state_.in_progress->direction))},
                                    {"recovery", std::string(to_string(decide_recovery(progress)))},
                                    {"by_pid", static_cast<int>(::getpid())}}));
    }
    const TimePoint start = clock_.now();
    SettleResult r = act(progress);
    r.ms = fractional_ms_between(start, clock_.now());
    if (dir != nullptr) save(r, *dir);
    return r;
}

void Settler::save(const SettleResult& result, state::StateDir& dir) {
    nlohmann::json fields = result.to_json();
    fields["run"] = state_.in_progress->run_id;
    ignore_failure(dir.record("settle_end", fields));
    if (!result.ok) return;
    auto fresh = load_flip_state(dir);
    FlipState saved = fresh.ok() ? std::move(fresh).value() : state_;
    settle_state(saved, result.on);
    ignore_failure(save_flip_state(dir, saved));
}

}  // namespace pgflip::cutover
