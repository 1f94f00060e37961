#include "cutover/live_ops.hpp"

#include <atomic>
#include <cstdlib>
#include <future>

#include "cutover/catch_up.hpp"
#include "cutover/context.hpp"
#include "cutover/fence.hpp"
#include "cutover/replication.hpp"
#include "cutover/sql_template.hpp"
#include "pg/array.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kDrainPoll = std::chrono::milliseconds(20);

//! The first failure wins, every other one is kept as a note.
void keep_first(Status& first, Status next) {
    if (first.ok() && !next.ok()) first = std::move(next);
}

}  // namespace

bool test_fail_health() {
    static std::atomic<bool> used{false};
    const char* v = std::getenv("PGFLIP_TEST_FAIL_HEALTH");
    if (v == nullptr || std::string(v) != "1") return false;
    return !used.exchange(true);
}

LiveOps::LiveOps(LiveContext& context, std::function<Status(Deadline)> safety_net)
    : ctx_(context), safety_net_(std::move(safety_net)) {}

void LiveOps::note(std::string text) {
    if (!detail_.empty()) detail_ += ", ";
    detail_ += text;
}

std::string LiveOps::take_detail() {
    return std::exchange(detail_, {});
}

Status LiveOps::for_all_poolers(const std::function<Status(pooler::Pooler&, size_t)>& op) {
    if (ctx_.poolers.size() == 1) return op(*ctx_.poolers[0], 0);
    std::vector<std::future<Status>> running;
    for (size_t i = 0; i < ctx_.poolers.size(); ++i) {
        running.push_back(
            std::async(std::launch::async, [&, i] { return op(*ctx_.poolers[i], i); }));
    }
    Status first;
    for (auto& f : running) keep_first(first, f.get());
    return first;
}

Result<pooler::Target> LiveOps::target_of(size_t pooler, Side side) const {
    const auto& t = ctx_.state.target(ctx_.poolers[pooler]->name(), side);
    if (!t) {
        return make_error(Side::pooler, "no recorded target of pooler " +
                                            ctx_.poolers[pooler]->name() + " for " +
                                            std::string(to_string(side)));
    }
    return *t;
}

// ---- the blackout ------------------------------------------------------------------------------

Status LiveOps::pause(Deadline drain, Deadline budget) {
    if (ctx_.dry_run) return {};
    if (ctx_.config.cutover.drain_policy == config::DrainPolicy::cancel) {
        return pause_cancelling(drain, budget);
    }
    Status paused = for_all_poolers([&](pooler::Pooler& p, size_t) { return p.pause(drain); });
    if (paused.ok() || paused.error().sqlstate != "57014") return paused;
    Error e = paused.take_error();
    e.message = "PAUSE did not drain within " +
                std::to_string(ctx_.config.cutover.drain_timeout_ms) +
                " ms (drain_policy abort): " + e.message;
    e.fix = "find the long transactions (pgflip check), or set cutover.drain_policy = \"cancel\"";
    return e;
}

//! Drain policy cancel: PAUSE waits up to the budget; from the drain deadline on, the
//! transactions holding it are ended, again every few milliseconds until it completes.
Status LiveOps::pause_cancelling(Deadline drain, Deadline budget) {
    auto paused = std::async(std::launch::async, [&] {
        return for_all_poolers([&](pooler::Pooler& p, size_t) { return p.pause(budget); });
    });
    if (paused.wait_until(drain) == std::future_status::ready) return paused.get();
    int rounds = 0;
    while (paused.wait_for(std::chrono::milliseconds(0)) != std::future_status::ready) {
        ++rounds;
        Status ended = terminate_blockers(budget);
        if (!ended.ok()) note("ending blockers failed: " + ended.error().message);
        if (paused.wait_for(kDrainPoll) == std::future_status::ready) break;
    }
    note("blocking transactions ended after the drain deadline (" + std::to_string(rounds) +
         " round(s))");
    return paused.get();
}

Status LiveOps::terminate_blockers(Deadline deadline) {
    std::vector<std::string> pids;
    for (auto& p : ctx_.poolers) {
        for (int pid : p->blocking_server_pids()) pids.push_back(std::to_string(pid));
    }
    auto rows = origin().query(sql::cutover_drain_terminate,
                               {pg::array_literal(roles_), pg::array_literal(pids)}, deadline);
    if (!rows.ok()) return rows.take_error();
    return {};
}

Status LiveOps::fence(Deadline deadline) {
    if (ctx_.dry_run) {
        auto settings = read_role_settings(origin(), roles_, deadline);
        if (!settings.ok()) return settings.take_error();
        note(std::to_string(roles_.size()) + " roles would be fenced");
        return {};
    }
    auto ended = cutover::fence(origin(), ctx_.origin.database, roles_, ctx_.clock, deadline);
    if (!ended.ok()) return ended.take_error();
    note(std::to_string(roles_.size()) + " roles, " + std::to_string(*ended) + " sessions ended");
    return {};
}

Status LiveOps::catch_up(Deadline deadline) {
    if (ctx_.dry_run) {
        auto slot = read_slot(origin(), ctx_.names.old_slot, deadline);
        if (!slot.ok()) return slot.take_error();
        if (slot->has_value()) note("lag " + std::to_string((*slot)->lag_bytes) + " B");
        return {};
    }
    const std::string token = random_token(ctx_.clock);
    PGFLIP_TRY(write_sentinel(origin(), token, "catch_up", deadline));
    auto polls = wait_for_sentinel(dest(), token, ctx_.clock, deadline);
    if (!polls.ok()) return polls.take_error();
    note(std::to_string(*polls) + " polls");
    return {};
}

Status LiveOps::sequences(Deadline deadline) {
    auto values = read_sequences(origin(), deadline);
    if (!values.ok()) return values.take_error();
    if (ctx_.dry_run) {
        auto there = read_sequences(dest(), deadline);
        if (!there.ok()) return there.take_error();
        note(std::to_string(values->size()) + " sequences read");
        return {};
    }
    auto moved = apply_sequences(dest(), *values, deadline);
    if (!moved.ok()) return moved.take_error();
    note(std::to_string(values->size()) + " sequences, " + std::to_string(*moved) + " moved");
    return {};
}

Status LiveOps::arm_reverse(Deadline deadline) {
    const FlipNames& n = ctx_.names;
    if (ctx_.dry_run) {
        auto slot = read_slot(dest(), n.back_slot, deadline);
        if (!slot.ok()) return slot.take_error();
        auto sub = read_subscription(origin(), n.back_sub, deadline);
        if (!sub.ok()) return sub.take_error();
        note(sub->has_value() ? "way back prepared" : "way back would be created");
        return {};
    }
    std::string sql =
        render(sql::cutover_arm_reverse, {{"slot", dest().quote_literal(n.back_slot)},
                                          {"subscription", dest().quote_ident(n.old_sub)}});
    auto fenced = ctx_.state.fences.find(ctx_.dest.side);
    if (fenced != ctx_.state.fences.end()) {
        sql += "\n" + unfence_sql(dest(), ctx_.dest.database, fenced->second);
    }
    auto armed = dest().query(sql, deadline);
    if (!armed.ok()) return armed.take_error();
    return enable_subscription(origin(), n.back_sub, deadline);
}

Status LiveOps::switch_poolers(Deadline deadline) {
    return for_all_poolers([&](pooler::Pooler& p, size_t i) -> Status {
        if (ctx_.dry_run) {
            auto current = p.current_target(deadline);
            if (!current.ok()) return current.take_error();
            return {};
        }
        auto target = target_of(i, ctx_.dest.side);
        if (!target.ok()) return target.take_error();
        return p.switch_to(*target, deadline);
    });
}

Status LiveOps::resume(Deadline deadline) {
    if (ctx_.dry_run) return {};
    return for_all_poolers([&](pooler::Pooler& p, size_t) { return p.resume(deadline); });
}

// ---- after the blackout ------------------------------------------------------------------------

Status LiveOps::probe_one(size_t i, Deadline deadline) {
    auto& probe = probes_[i];
    if (!probe) return {};
    if (ctx_.dry_run) {
        auto one = probe->query("SELECT 1", pg::Params{}, deadline);
        return one.ok() ? Status{} : Status{one.take_error()};
    }
    const std::string name = ctx_.poolers[i]->name();
    if (test_fail_health()) {
        return make_error(Side::pooler, "health probe through pooler " + name +
                                            " failed (PGFLIP_TEST_FAIL_HEALTH)");
    }
    const std::string token = random_token(ctx_.clock);
    auto wrote = probe->query(sql::cutover_health_probe, {token}, deadline);
    if (!wrote.ok()) {
        Error e = wrote.take_error();
        e.message = "health probe through pooler " + name + ": " + e.message;
        return e;
    }
    auto seen = dest().query(sql::cutover_sentinel_seen, {token}, deadline);
    if (!seen.ok()) return seen.take_error();
    if (!seen->boolean(0, 0)) {
        return make_error(Side::pooler,
                          "a write through pooler " + name + " did not land on " +
                              std::string(to_string(ctx_.dest.side)),
                          "check where the pooler points (SHOW DATABASES)");
    }
    return {};
}

Status LiveOps::health(Deadline deadline) {
    PGFLIP_TRY(ensure_connected(ctx_.dest, deadline));
    for (size_t i = 0; i < probes_.size(); ++i) {
        Status probed = probe_one(i, deadline);
        // A probe connection the pooler closed is reconnected once (server_reset, restarts).
        if (!probed.ok() && probes_[i] && !probes_[i]->is_ok()) {
            auto info = pg::Conninfo::parse(ctx_.pooler_configs[i]->client, Side::pooler);
            if (info.ok()) {
                auto conn = pg::Connection::connect(*info, Side::pooler, deadline);
                if (conn.ok()) probes_[i] = std::move(conn).value();
            }
            probed = probe_one(i, deadline);
        }
        PGFLIP_TRY(probed);
    }
    return {};
}

Status LiveOps::cleanup(Deadline deadline) {
    if (ctx_.dry_run) return {};
    PGFLIP_TRY(ensure_connected(ctx_.dest, deadline));
    PGFLIP_TRY(ensure_connected(ctx_.origin, deadline));
    Status first = drop_subscription(dest(), ctx_.names.old_sub, deadline);
    // The way back must be streaming for a rollback to be instant.
    const auto limit = std::min(deadline, ctx_.clock.now() + milliseconds(5000));
    for (;;) {
        auto sub = read_subscription(origin(), ctx_.names.back_sub, deadline);
        if (!sub.ok()) {
            keep_first(first, sub.take_error());
            break;
        }
        if (sub->has_value() && (*sub)->worker_pid != 0) break;
        if (ctx_.clock.now() >= limit) {
            keep_first(first, make_error(ctx_.origin.side,
                                         "subscription " + ctx_.names.back_sub +
                                             " (the way back) is not streaming",
                                         "look at pg_stat_subscription and the server log"));
            break;
        }
        ctx_.clock.sleep_for(std::chrono::milliseconds(10));
    }
    return first;
}

// ---- the way back ------------------------------------------------------------------------------

Status LiveOps::return_to_origin(const Progress& progress, Deadline deadline) {
    Status first = restore_origin(progress, deadline);
    keep_first(first,
               for_all_poolers([&](pooler::Pooler& p, size_t) { return p.resume(deadline); }));
    // The application runs again; what is left happens on the destination, off the clock. A
    // failure there (destination down) leaves nothing unsafe: the next run's preconditions
    // re-enable the forward subscription and drop the slot.
    if (Status left = restore_destination(progress, deadline); !left.ok()) {
        note("left on " + std::string(to_string(ctx_.dest.side)) +
             " for the next run to settle: " + left.error().str());
    }
    return first;
}

//! Everything the origin needs before RESUME: the poolers pointing at it, the way back
//! disabled, the fence lifted.
Status LiveOps::restore_origin(const Progress& progress, Deadline deadline) {
    Status first = ensure_connected(ctx_.origin, deadline);
    if (progress.has_started(Step::switch_poolers)) {
        keep_first(first, for_all_poolers([&](pooler::Pooler& p, size_t i) -> Status {
                       auto target = target_of(i, ctx_.origin.side);
                       if (!target.ok()) return target.take_error();
                       return p.switch_to(*target, deadline);
                   }));
    }
    if (progress.has_started(Step::arm_reverse)) {
        keep_first(first, disable_subscription(origin(), ctx_.names.back_sub, deadline));
    }
    if (progress.has_started(Step::fence)) {
        auto fenced = ctx_.state.fences.find(ctx_.origin.side);
        if (fenced != ctx_.state.fences.end()) {
            keep_first(first, unfence(origin(), ctx_.origin.database, fenced->second, deadline));
        }
    }
    return first;
}

//! Forward replication running again, the slot of the way back gone, a fence the arm lifted
//! put back.
Status LiveOps::restore_destination(const Progress& progress, Deadline deadline) {
    if (!progress.has_started(Step::arm_reverse)) return {};
    PGFLIP_TRY(ensure_connected(ctx_.dest, deadline));
    Status first = enable_subscription(dest(), ctx_.names.old_sub, deadline);
    auto fenced = ctx_.state.fences.find(ctx_.dest.side);
    if (fenced != ctx_.state.fences.end()) {
        auto again = dest().query(fence_sql(dest(), ctx_.dest.database, role_names(fenced->second)),
                                  deadline);
        if (!again.ok()) keep_first(first, again.take_error());
    }
    keep_first(first, drop_slot(dest(), ctx_.names.back_slot, ctx_.clock, deadline));
    return first;
}

Status LiveOps::complete_forward(Deadline deadline) {
    Status switched = for_all_poolers([&](pooler::Pooler& p, size_t i) -> Status {
        auto target = target_of(i, ctx_.dest.side);
        if (!target.ok()) return target.take_error();
        auto current = p.current_target(deadline);
        if (current.ok() && *current == *target) return {};
        return p.switch_to(*target, deadline);
    });
    Status resumed = for_all_poolers([&](pooler::Pooler& p, size_t) { return p.resume(deadline); });
    return switched.ok() ? resumed : switched;
}

}  // namespace pgflip::cutover
