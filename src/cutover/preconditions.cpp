// Step 0 of the flip (LiveOps::preconditions): every check and every preparation that can
// happen before the PAUSE, so that the blackout holds nothing but the flip itself.
#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "cutover/catch_up.hpp"
#include "cutover/fence.hpp"
#include "cutover/live_ops.hpp"
#include "cutover/replication.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {

std::string side_name(Side side) {
    return std::string(to_string(side));
}

std::string join(const std::vector<std::string>& items, size_t max = 5) {
    std::string out;
    for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > max) out += ", ... (" + std::to_string(items.size()) + " in all)";
    return out;
}

std::vector<std::string> minus(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
    std::set<std::string> in_b(b.begin(), b.end());
    std::vector<std::string> out;
    for (const auto& x : a) {
        if (in_b.count(x) == 0) out.push_back(x);
    }
    return out;
}

Result<std::map<std::string, std::string>> table_columns(pg::Connection& conn, Deadline deadline) {
    auto rows = conn.query(sql::cutover_table_columns, pg::Params{}, deadline);
    if (!rows.ok()) return rows.take_error();
    std::map<std::string, std::string> out;
    for (int r = 0; r < rows->size(); ++r) out[rows->str(r, 0)] = rows->str(r, 1);
    return out;
}

pooler::Target target_from_conninfo(const std::string& conninfo) {
    auto info = pg::Conninfo::parse(conninfo);
    if (!info.ok()) return {};
    return {info->host(), info->port(), info->dbname()};
}

std::string target_text(const pooler::Target& t) {
    return t.host + ":" + t.port + "/" + t.dbname;
}

}  // namespace

Status LiveOps::preconditions(Deadline deadline) {
    const std::vector<Status (LiveOps::*)(Deadline)> checks = {
        &LiveOps::prepare_poolers,
        &LiveOps::check_objects,
        &LiveOps::check_forward_replication,
        &LiveOps::check_schema,
        &LiveOps::check_sequences,
        &LiveOps::prepare_way_back,
        &LiveOps::prepare_fence,
        &LiveOps::prepare_targets,
        &LiveOps::prepare_probes,
        &LiveOps::measure_replication,
        &LiveOps::check_transactions,
    };
    Status first;
    for (auto check : checks) {
        Status s = (this->*check)(deadline);
        if (s.ok()) continue;
        if (!ctx_.dry_run) return s;
        // A dry run reports every problem at once.
        note("FAILED: " + s.error().str());
        if (first.ok()) first = std::move(s);
    }
    if (ctx_.dry_run) return first;
    return safety_net_(deadline);
}

Status LiveOps::prepare_poolers(Deadline deadline) {
    return for_all_poolers([&](pooler::Pooler& p, size_t) { return p.prepare(deadline); });
}

Status LiveOps::check_objects(Deadline deadline) {
    for (Endpoint* e : {&ctx_.origin, &ctx_.dest}) {
        auto rows = e->conn->query(sql::cutover_objects_present, pg::Params{}, deadline);
        if (!rows.ok()) return rows.take_error();
        const bool present = rows->boolean(0, 0);
        if (ctx_.dry_run && !present) {
            note("pgflip's schema would be created on " + side_name(e->side));
        }
        if (!ctx_.dry_run) {
            auto created = e->conn->query(sql::cutover_objects_create, deadline);
            if (!created.ok()) return created.take_error();
        }
    }
    if (ctx_.dry_run) return {};
    return publish_sentinel(origin(), ctx_.names.old_pub, deadline);
}

Status LiveOps::check_forward_replication(Deadline deadline) {
    const FlipNames& n = ctx_.names;
    const auto wait_until = std::min(deadline, ctx_.clock.now() + milliseconds(5000));
    for (;;) {
        auto sub = read_subscription(dest(), n.old_sub, deadline);
        if (!sub.ok()) return sub.take_error();
        if (!sub->has_value()) {
            return make_error(ctx_.dest.side,
                              "no subscription " + n.old_sub + " in database " + ctx_.dest.database,
                              "pgflip setup creates it (CREATE SUBSCRIPTION " + n.old_sub +
                                  " ... PUBLICATION " + n.old_pub + " WITH (slot_name = '" +
                                  n.old_slot + "'))");
        }
        const SubscriptionState& s = **sub;
        if (!s.enabled && ctx_.dry_run) {
            return make_error(ctx_.dest.side, "subscription " + n.old_sub + " is disabled",
                              "ALTER SUBSCRIPTION " + n.old_sub + " ENABLE, let it catch up");
        }
        if (!s.enabled) {
            // Only a flip that returned without reaching this side leaves it disabled.
            PGFLIP_TRY(enable_subscription(dest(), n.old_sub, deadline));
            note(n.old_sub + " re-enabled");
            continue;
        }
        if (!s.has_sentinel && !ctx_.dry_run) {
            PGFLIP_TRY(refresh_subscription(dest(), n.old_sub, ctx_.clock, deadline));
            continue;
        }
        if (s.not_ready > 0) {
            return make_error(ctx_.dest.side,
                              "subscription " + n.old_sub + " still has " +
                                  std::to_string(s.not_ready) +
                                  " table(s) not ready (initial copy running)",
                              "wait until pgflip status shows every table ready");
        }
        auto slot = read_slot(origin(), n.old_slot, deadline);
        if (!slot.ok()) return slot.take_error();
        if (!slot->has_value()) {
            return make_error(ctx_.origin.side, "replication slot " + n.old_slot + " is missing",
                              "the subscription " + n.old_sub + " must stream from it");
        }
        if (s.worker_pid != 0 && (*slot)->active) {
            const long long lag = (*slot)->lag_bytes;
            if (lag > ctx_.config.cutover.max_lag_bytes) {
                return make_error(ctx_.dest.side,
                                  "replication lags " + std::to_string(lag) + " bytes behind " +
                                      side_name(ctx_.origin.side) + " (max_lag_bytes " +
                                      std::to_string(ctx_.config.cutover.max_lag_bytes) + ")",
                                  "wait for the lag to shrink (pgflip status), then retry");
            }
            note("lag " + std::to_string(lag) + " B");
            lag_bytes_ = lag;
            return {};
        }
        if (ctx_.clock.now() >= wait_until) {
            return make_error(ctx_.dest.side, "subscription " + n.old_sub + " is not streaming",
                              "look at pg_stat_subscription and the server logs of both sides");
        }
        ctx_.clock.sleep_for(std::chrono::milliseconds(20));
    }
}

Status LiveOps::check_schema(Deadline deadline) {
    auto published = publication_tables(origin(), ctx_.names.old_pub, deadline);
    if (!published.ok()) return published.take_error();
    auto subscribed = subscription_tables(dest(), ctx_.names.old_sub, deadline);
    if (!subscribed.ok()) return subscribed.take_error();
    auto missing = minus(*published, *subscribed);
    if (!missing.empty()) {
        return make_error(
            ctx_.dest.side,
            "published but not subscribed (schema changed since setup?): " + join(missing),
            "create the tables on " + side_name(ctx_.dest.side) + ", then ALTER SUBSCRIPTION " +
                ctx_.names.old_sub + " REFRESH PUBLICATION");
    }
    auto from_cols = table_columns(origin(), deadline);
    if (!from_cols.ok()) return from_cols.take_error();
    auto to_cols = table_columns(dest(), deadline);
    if (!to_cols.ok()) return to_cols.take_error();
    std::vector<std::string> differ;
    for (const auto& table : *published) {
        auto a = from_cols->find(table);
        auto b = to_cols->find(table);
        if (a == from_cols->end() || b == to_cols->end() || a->second != b->second) {
            differ.push_back(table);
        }
    }
    if (differ.empty()) return {};
    return make_error(ctx_.dest.side, "columns differ between the sides: " + join(differ),
                      "apply the same DDL on both sides (pgflip verify shows the differences)");
}

Status LiveOps::check_sequences(Deadline deadline) {
    auto from = read_sequences(origin(), deadline);
    if (!from.ok()) return from.take_error();
    auto to = read_sequences(dest(), deadline);
    if (!to.ok()) return to.take_error();
    auto missing = missing_sequences(*from, *to);
    if (!missing.empty()) {
        return make_error(ctx_.dest.side, "sequences missing: " + join(missing),
                          "create them on " + side_name(ctx_.dest.side) + " (same DDL)");
    }
    origin_sequences_ = std::move(from).value();
    note(std::to_string(origin_sequences_.size()) + " sequences");
    if (ctx_.dry_run) return {};
    // Presync, so that the flip moves only the sequences that moved meanwhile.
    auto moved = apply_sequences(dest(), origin_sequences_, deadline);
    if (!moved.ok()) return moved.take_error();
    return {};
}

Status LiveOps::prepare_way_back(Deadline deadline) {
    const FlipNames& n = ctx_.names;
    if (ctx_.dry_run) {
        auto slot = read_slot(dest(), n.back_slot, deadline);
        if (!slot.ok()) return slot.take_error();
        if (slot->has_value()) note("stale slot " + n.back_slot + " would be dropped");
        return {};
    }
    PGFLIP_TRY(ensure_publication(dest(), n.back_pub, deadline));
    PGFLIP_TRY(prepare_back_subscription(deadline));
    return drop_slot(dest(), n.back_slot, ctx_.clock, deadline);
}

Status LiveOps::prepare_back_subscription(Deadline deadline) {
    const FlipNames& n = ctx_.names;
    auto want = publication_tables(dest(), n.back_pub, deadline);
    if (!want.ok()) return want.take_error();
    auto sub = read_subscription(origin(), n.back_sub, deadline);
    if (!sub.ok()) return sub.take_error();
    if (sub->has_value()) {
        if ((*sub)->enabled) PGFLIP_TRY(disable_subscription(origin(), n.back_sub, deadline));
        auto have = subscription_tables(origin(), n.back_sub, deadline);
        if (!have.ok()) return have.take_error();
        if ((*sub)->slot == n.back_slot && minus(*want, *have).empty()) return {};
        PGFLIP_TRY(drop_subscription_without_slot(origin(), n.back_sub, deadline));
    }
    const std::string& reach =
        ctx_.origin.side == Side::blue ? ctx_.config.green_from_blue : ctx_.config.blue_from_green;
    auto info = pg::Conninfo::parse(reach, ctx_.dest.side);
    if (!info.ok()) return info.take_error();
    return create_disabled_subscription(
        origin(), {n.back_sub, n.back_pub, n.back_slot, info->secret_string()}, deadline);
}

Status LiveOps::prepare_fence(Deadline deadline) {
    auto roles = resolve_app_roles(origin(), ctx_.config, deadline);
    if (!roles.ok()) return roles.take_error();
    auto recorded = ctx_.state.fences.find(ctx_.origin.side);
    if (recorded != ctx_.state.fences.end()) {
        // Fenced by an earlier flip that never unfenced it: what it recorded is the original.
        roles_ = role_names(recorded->second);
        return {};
    }
    auto originals = read_role_settings(origin(), *roles, deadline);
    if (!originals.ok()) return originals.take_error();
    roles_ = role_names(*originals);
    if (!ctx_.dry_run) ctx_.state.fences[ctx_.origin.side] = std::move(originals).value();
    note(std::to_string(roles_.size()) + " app roles");
    return {};
}

Status LiveOps::check_transactions(Deadline deadline) {
    auto rows = origin().query(sql::cutover_long_transactions,
                               {std::to_string(ctx_.config.cutover.max_xact_age_ms)}, deadline);
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) return {};
    std::vector<std::string> found;
    for (int r = 0; r < rows->size(); ++r) {
        found.push_back("pid " + rows->str(r, 0) + " (" + rows->str(r, 1) + ", " + rows->str(r, 2) +
                        ", " + rows->str(r, 3) + " ms: " + rows->str(r, 4) + ")");
    }
    return make_error(ctx_.origin.side,
                      "transactions older than max_xact_age_ms (" +
                          std::to_string(ctx_.config.cutover.max_xact_age_ms) +
                          " ms) would hold the pause: " + join(found, 3),
                      "let them finish, or end them: SELECT pg_terminate_backend(pid)");
}

Status LiveOps::prepare_targets(Deadline deadline) {
    for (size_t i = 0; i < ctx_.poolers.size(); ++i) {
        const std::string& name = ctx_.poolers[i]->name();
        auto current = ctx_.poolers[i]->current_target(deadline);
        if (!current.ok()) return current.take_error();
        if (!ctx_.state.target(name, ctx_.origin.side)) {
            if (ctx_.origin.side != Side::blue) {
                ctx_.state.set_target(name, ctx_.origin.side,
                                      target_from_conninfo(ctx_.origin.conninfo));
            } else {
                ctx_.state.set_target(name, ctx_.origin.side, *current);
            }
        }
        if (!ctx_.state.target(name, ctx_.dest.side)) {
            ctx_.state.set_target(name, ctx_.dest.side, target_from_conninfo(ctx_.dest.conninfo));
        }
        const pooler::Target& expected = *ctx_.state.target(name, ctx_.origin.side);
        if (!(*current == expected)) {
            return make_error(
                Side::pooler,
                "pooler " + name + " points at " + target_text(*current) + ", not at " +
                    side_name(ctx_.origin.side) + " (" + target_text(expected) + ")",
                "point it back, or run pgflip " + std::string(to_string(reverse(ctx_.direction))) +
                    " if the application already writes to " + side_name(ctx_.dest.side));
        }
    }
    return {};
}

Status LiveOps::prepare_probes(Deadline deadline) {
    probes_.clear();
    probes_.resize(ctx_.poolers.size());
    int missing = 0;
    for (size_t i = 0; i < ctx_.poolers.size(); ++i) {
        const std::string& client = ctx_.pooler_configs[i]->client;
        if (client.empty()) {
            ++missing;
            continue;
        }
        auto info = pg::Conninfo::parse(client, Side::pooler);
        if (!info.ok()) return info.take_error();
        auto conn = pg::Connection::connect(*info, Side::pooler, deadline);
        if (!conn.ok()) {
            Error e = conn.take_error();
            e.message = "health probe through pooler " + ctx_.poolers[i]->name() + ": " + e.message;
            return e;
        }
        auto one = conn->query("SELECT 1", pg::Params{}, deadline);
        if (!one.ok()) return one.take_error();
        probes_[i] = std::move(conn).value();
    }
    if (missing > 0) note(std::to_string(missing) + " pooler(s) without client conninfo: no probe");
    return {};
}

Status LiveOps::measure_replication(Deadline deadline) {
    if (ctx_.dry_run) return {};
    const auto limit = std::min(deadline, ctx_.clock.now() + milliseconds(10000));
    auto ms = measure_catch_up(origin(), dest(), ctx_.clock, limit);
    if (!ms.ok()) {
        Error e = ms.take_error();
        e.message = "replication is not streaming: " + e.message;
        return e;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "round trip %.1f ms", *ms);
    note(buf);
    if (ctx_.record) ctx_.record("lag_sample", {{"bytes", lag_bytes_}, {"round_trip_ms", *ms}});
    return {};
}

}  // namespace pgflip::cutover
