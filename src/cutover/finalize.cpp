#include "cutover/finalize.hpp"

#include <nlohmann/json.hpp>

#include "cutover/context.hpp"
#include "cutover/fence.hpp"
#include "cutover/session.hpp"
#include "cutover/sql_template.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kTimeout = milliseconds(60000);
constexpr auto kResumeTimeout = milliseconds(30 * 60 * 1000);  // a lock on every listed table

bool ours(const std::string& slot, const std::string& name) {
    return slot == name + "_slot" || slot == name + "_reverse_slot";
}

//! Runs every teardown step, collecting what worked and what did not.
class Teardown {
  public:
    Teardown(const config::Config& config, Endpoints& ends, FlipState& state, Clock& clock,
             FinalizeReport& report)
        : config_(config), ends_(ends), state_(state), clock_(clock), report_(report) {}

    void run();

  private:
    void step(const std::string& what, const Status& status);
    void drop_replication(Endpoint& e, const std::string& sub, const std::string& pub);
    void lift_fence(Endpoint& e);
    void list_left(Endpoint& e, std::vector<SlotRetention>& out);
    [[nodiscard]] Deadline deadline() { return clock_.now() + kTimeout; }

    const config::Config& config_;
    Endpoints& ends_;
    FlipState& state_;
    Clock& clock_;
    FinalizeReport& report_;
};

void Teardown::step(const std::string& what, const Status& status) {
    if (status.ok()) {
        report_.done.push_back(what);
    } else {
        report_.problems.push_back(what + ": " + status.error().str());
    }
}

void Teardown::drop_replication(Endpoint& e, const std::string& sub, const std::string& pub) {
    const std::string side = std::string(to_string(e.side));
    step("subscription " + sub + " on " + side, drop_subscription(*e.conn, sub, deadline()));
    step("publication " + pub + " on " + side,
         exec_template(*e.conn, sql::cutover_publication_drop,
                       {{"publication", e.conn->quote_ident(pub)}}, deadline()));
}

void Teardown::lift_fence(Endpoint& e) {
    auto fenced = state_.fences.find(e.side);
    if (fenced == state_.fences.end()) return;
    Status s = unfence(*e.conn, e.database, fenced->second, deadline());
    step("fence of " + std::to_string(fenced->second.size()) + " role(s) on " +
             std::string(to_string(e.side)),
         s);
    if (s.ok()) state_.fences.erase(fenced);
}

void Teardown::list_left(Endpoint& e, std::vector<SlotRetention>& out) {
    auto slots = list_slots(*e.conn, deadline());
    if (!slots.ok()) {
        report_.problems.push_back("listing slots: " + slots.error().str());
        return;
    }
    out = std::move(slots).value();
    for (const auto& s : out) {
        if (ours(s.name, config_.name)) {
            report_.problems.push_back("slot " + s.name + " is still on " +
                                       std::string(to_string(e.side)) + ", retaining " +
                                       std::to_string(s.retained_bytes) + " bytes of WAL");
        }
    }
}

void Teardown::run() {
    // Subscriptions first: each drops its slot on the other side while both are reachable.
    drop_replication(ends_.green, config_.name + "_sub", config_.name + "_reverse_pub");
    drop_replication(ends_.blue, config_.name + "_reverse_sub", config_.name + "_pub");
    for (Endpoint* e : {&ends_.blue, &ends_.green}) {
        for (const std::string& slot : {config_.name + "_slot", config_.name + "_reverse_slot"}) {
            step("slot " + slot + " on " + std::string(to_string(e->side)),
                 drop_slot(*e->conn, slot, clock_, deadline()));
        }
    }
    lift_fence(ends_.blue);
    lift_fence(ends_.green);
    // A setup that never finished left autovacuum off on green's tables (setup's own list). The
    // list lives in schema pgflip: if it cannot be worked off now, the schema stays on green, so
    // that finalize run again can.
    auto resumed =
        ends_.green.conn->query(sql::sync_autovacuum_resume, clock_.now() + kResumeTimeout);
    const bool green_list_done = resumed.ok();
    step("autovacuum back on on green", resumed.ok() ? Status{} : Status{resumed.take_error()});
    for (Endpoint* e : {&ends_.blue, &ends_.green}) {
        if (e == &ends_.green && !green_list_done) {
            report_.problems.push_back(
                "schema pgflip on green kept: it lists the tables whose autovacuum setup "
                "switched off; run pgflip finalize again");
            continue;
        }
        auto dropped = e->conn->query(sql::cutover_objects_drop, deadline());
        step("schema pgflip on " + std::string(to_string(e->side)),
             dropped.ok() ? Status{} : Status{dropped.take_error()});
    }
    list_left(ends_.blue, report_.blue_slots);
    list_left(ends_.green, report_.green_slots);
}

nlohmann::json slots_json(const std::vector<SlotRetention>& slots) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& s : slots) {
        out.push_back({{"slot", s.name},
                       {"type", s.type},
                       {"database", s.database},
                       {"active", s.active},
                       {"retained_bytes", s.retained_bytes}});
    }
    return out;
}

}  // namespace

FinalizeReport run_finalize(const config::Config& config) {
    FinalizeReport report;
    SystemClock clock;
    auto opened = open_flip_state(config.state_dir, clock);
    if (!opened.ok()) {
        report.error = opened.take_error();
        return report;
    }
    auto& [dir, state] = *opened;
    if (state.in_progress) {
        report.error =
            make_error(Side::local, "a flip was interrupted and is not settled yet",
                       "run pgflip " + std::string(to_string(state.in_progress->direction)) +
                           " again first: it settles the interrupted flip");
        return report;
    }
    auto ends = connect_endpoints(config, clock.now() + kTimeout);
    if (!ends.ok()) {
        report.error = ends.take_error();
        return report;
    }
    report.on = state.primary;
    ignore_failure(dir.record("finalize_start", {{"on", std::string(to_string(report.on))}}));
    Teardown(config, *ends, state, clock, report).run();
    report.ok = report.problems.empty();
    ignore_failure(save_flip_state(dir, state));
    ignore_failure(dir.record("finalize_end", to_json(report)));
    return report;
}

nlohmann::json to_json(const FinalizeReport& r) {
    nlohmann::json doc = {
        {"ok", r.ok},
        {"on", std::string(to_string(r.on))},
        {"done", r.done},
        {"problems", r.problems},
        {"slots", {{"blue", slots_json(r.blue_slots)}, {"green", slots_json(r.green_slots)}}}};
    if (r.error) doc["error"] = {{"message", r.error->message}, {"fix", r.error->fix}};
    return doc;
}

std::string render_text(const FinalizeReport& r) {
    if (r.error) return "error: " + r.error->str() + "\n";
    std::string out =
        "pgflip finalize: the application writes to " + std::string(to_string(r.on)) + "\n";
    for (const auto& d : r.done) out += "  done     " + d + "\n";
    for (const auto& p : r.problems) out += "  PROBLEM  " + p + "\n";
    auto slots = [&](const char* side, const std::vector<SlotRetention>& list) {
        if (list.empty()) {
            out += std::string("no replication slot left on ") + side + "\n";
            return;
        }
        for (const auto& s : list) {
            out += std::string("slot left on ") + side + ": " + s.name + " retains " +
                   std::to_string(s.retained_bytes) + " bytes of WAL\n";
        }
    };
    slots("blue", r.blue_slots);
    slots("green", r.green_slots);
    out += r.ok ? "nothing of pgflip's retains WAL any more\n" : "finalize is incomplete\n";
    return out;
}

}  // namespace pgflip::cutover
