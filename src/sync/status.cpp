#include "sync/status.hpp"

#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "catalog/servers.hpp"
#include "sql/queries.hpp"
#include "state/state_dir.hpp"
#include "sync/console.hpp"
#include "sync/drift.hpp"
#include "sync/post_data.hpp"
#include "sync/state.hpp"

namespace pgflip::sync {

namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr milliseconds kQuery{10000};
constexpr milliseconds kHeartbeatWait{2000};
constexpr long long kCaughtUpBytes = 1024 * 1024;

std::optional<SetupState> read_state(const std::string& state_dir) {
    std::ifstream in(fs::path(state_dir) / "setup.json");
    if (!in) return std::nullopt;
    auto doc = nlohmann::json::parse(in, nullptr, false);
    if (doc.is_discarded()) return std::nullopt;
    auto state = setup_state_from_json(doc);
    if (!state) return std::nullopt;
    return std::move(state).value();
}

std::string phase_of(const std::optional<SetupState>& state) {
    if (!state) return "not started";
    if (state->complete()) return "complete";
    for (const char* step : kSteps) {
        if (!state->done(step)) return std::string("in progress or interrupted at ") + step;
    }
    return "complete";
}

//! Folds the journal's copy events into per-item state.
struct ItemEvents {
    std::map<int, std::string> state;  //!< item -> started / done
    std::map<int, long long> rows;
    std::map<int, long long> bytes;
    std::map<int, int> done_in;  //!< item -> the generation that finished it
    //! "schema.table" -> building / built: the indexes and ANALYZE run beside the copy.
    std::map<std::string, std::string> indexes;
    int generation = 0;  //!< the latest snapshot's
    long long first_ms = 0;
    long long last_ms = 0;
};

//! A resumed setup truncated these tables on green: their earlier items are to do again.
void forget_recopied(ItemEvents& ev, const Plan& plan, const nlohmann::json& tables) {
    for (const auto& item : plan.items) {
        const TablePlan* t = plan.table(item.table_oid);
        if (t == nullptr) continue;
        const std::string name = t->schema + "." + t->name;
        for (const auto& recopied : tables) {
            if (recopied != name) continue;
            ev.state.erase(item.id);
            ev.rows.erase(item.id);
            ev.bytes.erase(item.id);
            ev.done_in.erase(item.id);
        }
    }
}

int latest_generation(const std::vector<nlohmann::json>& events) {
    int generation = 0;
    for (const auto& e : events) {
        const std::string name = e.value("event", "");
        if (name == "setup.copy_item" || name == "setup.snapshot") {
            generation = std::max(generation, e.value("generation", 0));
        }
    }
    return generation;
}

void fold_copy_item(ItemEvents& ev, const nlohmann::json& e) {
    int item = e.value("item", 0);
    std::string s = e.value("state", "");
    const int generation = e.value("generation", 0);
    // Items done in an earlier generation stay done unless their table was copied again,
    // which restarts them in the latest generation.
    if (s == "started" && generation != ev.generation) return;
    ev.state[item] = s;
    if (s == "done") {
        ev.rows[item] = e.value("rows", 0LL);
        ev.bytes[item] = e.value("bytes", 0LL);
        ev.done_in[item] = generation;
    }
    long long t = e.value("t_ms", 0LL);
    if (generation == ev.generation) {
        if (ev.first_ms == 0) ev.first_ms = t;
        ev.last_ms = t;
    }
}

ItemEvents read_item_events(const std::string& state_dir, const Plan& plan) {
    ItemEvents ev;
    auto events = state::read_journal(fs::path(state_dir) / "journal.jsonl");
    if (!events) return ev;
    ev.generation = latest_generation(*events);
    for (const auto& e : *events) {
        const std::string name = e.value("event", "");
        if (name == "setup.index_batch" && e.contains("tables")) {
            const bool built = e.value("state", "") == "done";
            for (const auto& t : e["tables"])
                ev.indexes[t.get<std::string>()] = built ? "built" : "building";
        }
        if (name == "setup.resync" && e.contains("recopied_tables")) {
            forget_recopied(ev, plan, e["recopied_tables"]);
        }
        if (name == "setup.copy_item") fold_copy_item(ev, e);
    }
    return ev;
}

nlohmann::json table_entry(const TablePlan& t, int items, int done, int running, long long rows,
                           const std::string& indexes) {
    std::string state = done == items ? "done" : (running > 0 || done > 0 ? "copying" : "pending");
    return {{"table", t.schema + "." + t.name},
            {"state", state},
            {"indexes", indexes},
            {"items", items},
            {"items_done", done},
            {"rows", rows},
            {"bytes_planned", t.heap_bytes + t.toast_bytes},
            {"binary", t.binary}};
}

}  // namespace

std::optional<CopyProgress> copy_progress(const std::string& state_dir) {
    auto state = read_state(state_dir);
    if (!state || !state->plan) return std::nullopt;
    ItemEvents ev = read_item_events(state_dir, *state->plan);
    bool copy_done = state->done("copy");
    CopyProgress p;
    std::map<std::uint32_t, std::array<int, 3>> per_table;  // items, done, running
    std::map<std::uint32_t, long long> rows;
    long long done_this_generation = 0;  // planned bytes, for the rate
    for (const auto& item : state->plan->items) {
        auto it = ev.state.find(item.id);
        bool done = copy_done || (it != ev.state.end() && it->second == "done");
        bool running = !done && it != ev.state.end();
        auto& t = per_table[item.table_oid];
        t[0] += 1;
        t[1] += done ? 1 : 0;
        t[2] += running ? 1 : 0;
        rows[item.table_oid] += ev.rows[item.id];
        p.items_total += 1;
        p.items_done += done ? 1 : 0;
        p.rows += ev.rows[item.id];
        p.bytes += ev.bytes[item.id];
        p.est_bytes_total += item.est_bytes;
        p.est_bytes_done += done ? item.est_bytes : 0;
        auto in = ev.done_in.find(item.id);
        if (in != ev.done_in.end() && in->second == ev.generation) {
            done_this_generation += item.est_bytes;
        }
    }
    // Items kept from an earlier generation took none of this generation's time.
    double seconds = static_cast<double>(ev.last_ms - ev.first_ms) / 1000.0;
    if (seconds > 0) p.rate_bytes_s = static_cast<double>(done_this_generation) / seconds;
    // Indexes and ANALYZE: beside the copy (index_batch events), else in the post-data step.
    const bool post_data_done = state->done("post_data");
    for (const auto& t : state->plan->tables) {
        const auto& c = per_table[t.oid];
        auto early = ev.indexes.find(t.schema + "." + t.name);
        const std::string indexes =
            post_data_done ? "built" : (early != ev.indexes.end() ? early->second : "pending");
        p.tables.push_back(table_entry(t, c[0], c[1], c[2], rows[t.oid], indexes));
    }
    return p;
}

std::string setup_phase(const std::string& state_dir) {
    return phase_of(read_state(state_dir));
}

namespace {

//! Writes a heartbeat on blue and waits briefly for green to apply it.
nlohmann::json heartbeat(pg::Connection& blue, pg::Connection& green) {
    auto beat = blue.query(sql::sync_heartbeat_beat, pg::after(kQuery));
    if (!beat || beat->empty()) return {{"written", false}};
    std::string written = beat->str(0, 0);
    auto started = pg::Clock::now();
    while (pg::Clock::now() - started < kHeartbeatWait) {
        auto seen = green.query(sql::sync_heartbeat_seen, {written}, pg::after(kQuery));
        if (!seen) break;
        if (seen->boolean(0, 0)) {
            double s = std::chrono::duration<double>(pg::Clock::now() - started).count();
            return {{"written", true}, {"seen", true}, {"lag_s", s}};
        }
        std::this_thread::sleep_for(milliseconds(20));
    }
    // Not applied yet: green has everything up to its last heartbeat, and nothing newer.
    auto last = green.query(sql::sync_heartbeat_read, pg::after(kQuery));
    nlohmann::json out = {{"written", true}, {"seen", false}};
    if (last && !last->empty()) out["lag_s"] = std::strtod(last->str(0, 1).c_str(), nullptr);
    return out;
}

nlohmann::json num_or_null(const pg::Rows& rows, int col) {
    return rows.is_null(0, col) ? nlohmann::json() : nlohmann::json(rows.num(0, col));
}

//! What the operator should do about the slot in `state` (missing, lost).
std::string slot_fix(const std::string& state) {
    return "the subscription cannot stream without it" +
           std::string(state == "lost" ? " (blue removed the WAL it needed)" : "") +
           ": before setup is complete, run pgflip setup again (it takes a new snapshot and "
           "copies again what it cannot prove unchanged); after, replication must be set up "
           "again (pgflip finalize, then pgflip setup into an empty green database)";
}

//! The slot and its WAL; `state` is ok, missing, lost (invalidated) or unknown (not read).
nlohmann::json slot_json(pg::Connection& blue, const std::string& slot) {
    auto rows = blue.query(sql::sync_status_slot, {slot}, pg::after(kQuery));
    if (!rows) return {{"name", slot}, {"state", "unknown"}, {"error", rows.error().str()}};
    if (rows->empty()) {
        return {
            {"name", slot}, {"exists", false}, {"state", "missing"}, {"fix", slot_fix("missing")}};
    }
    const std::string wal_status = rows->opt(0, 6).value_or("");
    // An invalidated slot keeps no WAL (no restart_lsn) and can never be streamed from again.
    const bool lost = wal_status == "lost" || rows->is_null(0, 4);
    nlohmann::json j = {{"name", slot},
                        {"exists", true},
                        {"state", lost ? "lost" : "ok"},
                        {"active", rows->boolean(0, 0)},
                        {"confirmed_flush_lsn", rows->opt(0, 2).value_or("")},
                        {"current_lsn", rows->str(0, 3)},
                        {"retained_bytes", num_or_null(*rows, 4)},
                        {"lag_bytes", num_or_null(*rows, 5)},
                        {"wal_status", wal_status},
                        {"safe_wal_size", num_or_null(*rows, 7)},
                        {"max_slot_wal_keep_size", rows->opt(0, 8).value_or("-1")}};
    if (lost) j["fix"] = slot_fix("lost");
    return j;
}

nlohmann::json subscription_json(pg::Connection& green, const std::string& sub) {
    auto rows = green.query(sql::sync_status_subscription, {sub}, pg::after(kQuery));
    if (!rows) return {{"name", sub}, {"error", rows.error().str()}};
    if (rows->empty()) return {{"name", sub}, {"exists", false}, {"state", "missing"}};
    bool enabled = rows->boolean(0, 0);
    bool worker = !rows->is_null(0, 2);
    std::string state = !enabled ? "disabled" : (worker ? "streaming" : "stopped");
    nlohmann::json j = {{"name", sub},
                        {"exists", true},
                        {"enabled", enabled},
                        {"state", state},
                        {"slot", rows->str(0, 1)},
                        {"tables", rows->num(0, 7)},
                        {"tables_ready", rows->num(0, 8)}};
    if (worker) {
        j["worker_pid"] = rows->num(0, 2);
        j["received_lsn"] = rows->str(0, 3);
        j["latest_end_lsn"] = rows->str(0, 4);
        j["last_msg_receipt_time"] = rows->str(0, 5);
        j["silence_s"] = std::strtod(rows->str(0, 6).c_str(), nullptr);
    }
    return j;
}

nlohmann::json errors_json(pg::Connection& green, int green_major, const std::string& sub) {
    if (green_major < 15) return {{"available", false}, {"note", "needs PostgreSQL 15 on green"}};
    auto rows = green.query(sql::sync_status_subscription_errors, {sub}, pg::after(kQuery));
    if (!rows || rows->empty()) return {{"available", false}};
    return {{"available", true},
            {"apply_error_count", rows->num(0, 0)},
            {"sync_error_count", rows->num(0, 1)},
            {"stats_reset", rows->opt(0, 2).value_or("")}};
}

nlohmann::json setup_json(const config::Config& config, const std::optional<SetupState>& state) {
    nlohmann::json j = {{"state", phase_of(state)}};
    if (state && state->slot) j["generation"] = state->slot->generation;
    auto progress = copy_progress(config.state_dir);
    if (!progress) return j;
    nlohmann::json copy = {{"items_total", progress->items_total},
                           {"items_done", progress->items_done},
                           {"rows", progress->rows},
                           {"bytes", progress->bytes},
                           {"planned_bytes", progress->est_bytes_total},
                           {"planned_bytes_done", progress->est_bytes_done}};
    long long left = progress->est_bytes_total - progress->est_bytes_done;
    if (left > 0 && progress->rate_bytes_s > 0) {
        copy["eta_s"] = static_cast<double>(left) / progress->rate_bytes_s;
    }
    copy["tables"] = progress->tables;
    j["copy"] = copy;
    return j;
}

//! The slot setup is using: the one its state records (a resumed copy works on
//! <name>_slot_g<N> until the subscription step renames it), else <name>_slot.
std::string setup_slot(const config::Config& config, const std::optional<SetupState>& state) {
    if (state && state->slot) return state->slot->name;
    return config.name + "_slot";
}

nlohmann::json side_json(const Result<catalog::Connected>& side) {
    if (!side.ok()) return {{"reachable", false}, {"error", side.error().str()}};
    return {
        {"reachable", true}, {"version", side->info.version}, {"database", side->info.database}};
}

//! What status could not read because `side` is unreachable.
nlohmann::json unread(const std::string& name, const char* side) {
    return {{"name", name}, {"state", "unknown"}, {"error", std::string(side) + " is unreachable"}};
}

//! The lag the slot shows; -1 when the slot is not there to show it.
LagSample lag_sample(const nlohmann::json& slot) {
    const bool known = slot.value("state", "") == "ok" && slot.contains("lag_bytes") &&
                       slot["lag_bytes"].is_number();
    return {known ? slot["lag_bytes"].get<long long>() : -1, pg::Clock::now()};
}

std::string slot_words(const nlohmann::json& slot) {
    const std::string state = slot.value("state", "unknown");
    const std::string name = "slot " + slot.value("name", "");
    if (state == "missing") return name + " is missing on blue";
    if (state == "lost") return name + " is lost (invalidated) on blue";
    return name + " could not be read on blue";
}

//! Green's own facts: apply errors, and tables setup left autovacuum off on.
void add_green(nlohmann::json& doc, pg::Connection& green, int major, const std::string& sub) {
    doc["apply_errors"] = errors_json(green, major, sub);
    if (auto paused = autovacuum_paused_tables(green, pg::after(kQuery)); paused && *paused > 0) {
        doc["setup"]["autovacuum_paused_tables"] = *paused;
    }
}

}  // namespace

nlohmann::json measure_lag(const nlohmann::json& slot, const nlohmann::json& beat,
                           bool green_reachable, const std::optional<LagSample>& previous,
                           LagSample& sample) {
    sample = lag_sample(slot);
    nlohmann::json lag = {
        {"bytes", sample.lag_bytes < 0 ? nlohmann::json() : nlohmann::json(sample.lag_bytes)},
        {"heartbeat_applied", beat.value("seen", false)}};
    if (beat.contains("lag_s")) lag["seconds"] = beat["lag_s"];
    // Without the slot, or without green, nothing shows that green has what blue wrote.
    const std::string unknown = sample.lag_bytes < 0 ? slot_words(slot)
                                : !green_reachable   ? std::string("green is unreachable")
                                                     : std::string();
    if (!unknown.empty()) {
        lag["caught_up"] = false;
        lag["not_known"] = unknown;
        return lag;
    }
    bool caught_up = beat.value("seen", false) || sample.lag_bytes < kCaughtUpBytes;
    lag["caught_up"] = caught_up;
    if (caught_up) {
        lag["caught_up_in_s"] = 0;
    } else if (previous && previous->lag_bytes >= 0 &&
               sample.at - previous->at > milliseconds(200)) {
        double dt = std::chrono::duration<double>(sample.at - previous->at).count();
        double shrink =
            dt > 0 ? static_cast<double>(previous->lag_bytes - sample.lag_bytes) / dt : 0;
        if (shrink > 0) lag["caught_up_in_s"] = static_cast<double>(sample.lag_bytes) / shrink;
    }
    return lag;
}

Result<nlohmann::json> gather_status(const config::Config& config,
                                     const std::optional<LagSample>& previous, LagSample& sample) {
    PGFLIP_TRY(config::require_servers(config));
    auto sides = catalog::connect_each(config, pg::after(kQuery));
    if (sides.blue.ok() && sides.green.ok()) {
        PGFLIP_TRY(catalog::check_pair(sides.blue->info, sides.green->info));
    }
    pg::Connection* blue = sides.blue.ok() ? &sides.blue->conn : nullptr;
    pg::Connection* green = sides.green.ok() ? &sides.green->conn : nullptr;
    auto state = read_state(config.state_dir);
    nlohmann::json doc = {
        {"setup", setup_json(config, state)},
        {"blue", side_json(sides.blue)},
        {"green", side_json(sides.green)},
        {"apply_errors", {{"available", false}, {"note", "green is unreachable"}}}};
    const std::string slot_name = setup_slot(config, state);
    const std::string sub_name = config.name + "_sub";
    auto read_slot = [&] { return blue ? slot_json(*blue, slot_name) : unread(slot_name, "blue"); };
    auto slot = read_slot();
    LagSample first = lag_sample(slot);
    auto sub = green ? subscription_json(*green, sub_name) : unread(sub_name, "green");
    auto beat = blue && green && sub.value("exists", false) ? heartbeat(*blue, *green)
                                                            : nlohmann::json{{"written", false}};
    // Read again after the heartbeat's wait: fresher, and the two readings give a trend when
    // no earlier round of --watch does.
    slot = read_slot();
    doc["slot"] = slot;
    doc["subscription"] = sub;
    doc["lag"] = measure_lag(slot, beat, green != nullptr, previous ? previous : first, sample);
    if (green) add_green(doc, *green, sides.green->info.major(), sub_name);
    if (blue && state && !state->fingerprint.empty()) {
        auto drift = detect_drift(*blue, state->fingerprint, pg::after(kQuery));
        doc["schema_drift"] =
            drift ? to_json(*drift) : nlohmann::json{{"error", drift.error().str()}};
    }
    // A slot setup made (or a subscription needs) that is gone or unreadable is a failure.
    const bool slot_expected = (state && state->slot) || sub.value("exists", false);
    doc["ok"] = blue && green && (!slot_expected || slot.value("state", "") == "ok");
    return doc;
}

namespace {

std::string num(const nlohmann::json& j, const char* key) {
    return j.contains(key) && !j[key].is_null() ? j[key].dump() : "-";
}

std::string render_copy(const nlohmann::json& copy) {
    double planned = copy.value("planned_bytes", 0.0);
    double pct = planned > 0 ? 100.0 * copy.value("planned_bytes_done", 0.0) / planned : 100.0;
    char share[16];
    std::snprintf(share, sizeof share, "%.0f%%", pct);
    std::string out = "  copy: " + std::string(share) + " of the work, " + num(copy, "items_done") +
                      "/" + num(copy, "items_total") + " items, " +
                      human_bytes(copy.value("bytes", 0.0)) + " and " +
                      human_count(copy.value("rows", 0.0)) + " rows moved";
    if (copy.contains("eta_s")) out += ", ETA " + human_duration(copy["eta_s"].get<double>());
    out += "\n";
    int built = 0;
    for (const auto& t : copy["tables"]) built += t.value("indexes", "") == "built" ? 1 : 0;
    out += "  indexes and ANALYZE: " + std::to_string(built) + "/" +
           std::to_string(copy["tables"].size()) + " tables done\n";
    int shown = 0;
    for (const auto& t : copy["tables"]) {
        if (t["state"] == "done" || shown >= 10) continue;
        ++shown;
        out += "    " + t["table"].get<std::string>() + ": " + t["state"].get<std::string>() +
               " (" + num(t, "items_done") + "/" + num(t, "items") + " items)\n";
    }
    return out;
}

//! A number of bytes, or "unknown" when status could not read it (null or absent).
std::string bytes_or_unknown(const nlohmann::json& j, const char* key) {
    return j.contains(key) && j[key].is_number() ? human_bytes(j[key].get<double>()) : "unknown";
}

std::string render_lag(const nlohmann::json& lag) {
    std::string out = "lag:          " + bytes_or_unknown(lag, "bytes");
    if (lag.contains("seconds")) {
        char s[32];
        std::snprintf(s, sizeof s, "%.2f s", lag["seconds"].get<double>());
        out += std::string(", ") + s;
    }
    if (lag.contains("not_known")) {
        out += " (not known to be caught up: " + lag.value("not_known", "") + ")";
    } else if (lag.value("caught_up", false)) {
        out += " (caught up)";
    } else if (lag.contains("caught_up_in_s")) {
        out += ", caught up in ~" + human_duration(lag["caught_up_in_s"].get<double>());
    }
    return out + "\n";
}

std::string render_slot(const nlohmann::json& slot) {
    const std::string head = "slot:         " + slot.value("name", "");
    const std::string state = slot.value("state", "unknown");
    const std::string fix = slot.contains("fix") ? "\n  fix: " + slot.value("fix", "") : "";
    if (state == "unknown") return head + " UNKNOWN: " + slot.value("error", "") + "\n";
    if (state == "missing") return head + " MISSING on blue" + fix + "\n";
    std::string limit = slot.value("max_slot_wal_keep_size", "-1");
    return head + (state == "lost" ? " LOST (invalidated)" : "") +
           (slot.value("active", false) ? ", active" : ", inactive") + ", retains " +
           bytes_or_unknown(slot, "retained_bytes") + " of WAL (limit: " +
           (limit == "-1" ? std::string("none, max_slot_wal_keep_size = -1") : limit) +
           ", wal_status " + slot.value("wal_status", "?") + ")" + fix + "\n";
}

std::string render_side(const char* label, const nlohmann::json& side) {
    if (side.value("reachable", true))
        return label + ("PostgreSQL " + side.value("version", "")) + "\n";
    return label + ("UNREACHABLE: " + side.value("error", "")) +
           "\n  status shows only what the other side and the state directory tell; start the "
           "server or fix its conninfo (--blue/--green, PGFLIP_BLUE/PGFLIP_GREEN, pgflip.toml)\n";
}

std::string render_subscription(const nlohmann::json& sub) {
    std::string out = "subscription: " + sub.value("name", "") + " " + sub.value("state", "?");
    if (sub.contains("error")) out += " (" + sub.value("error", "") + ")";
    if (sub.value("exists", false)) {
        out += ", " + num(sub, "tables_ready") + "/" + num(sub, "tables") + " tables ready";
        if (sub.contains("received_lsn")) out += ", received " + sub.value("received_lsn", "");
    }
    return out + "\n";
}

}  // namespace

std::string render_status(const nlohmann::json& s) {
    std::string out = render_side("blue:         ", s["blue"]) +
                      render_side("green:        ", s["green"]) +
                      "setup:        " + s["setup"].value("state", "") + "\n";
    if (s["setup"].contains("copy")) out += render_copy(s["setup"]["copy"]);
    if (s["setup"].contains("autovacuum_paused_tables")) {
        out += "  autovacuum: off on " + s["setup"]["autovacuum_paused_tables"].dump() +
               " tables of green until setup is done with them (setup switches it back on)\n";
    }
    out += render_subscription(s["subscription"]) + render_slot(s["slot"]) + render_lag(s["lag"]);
    const auto& errors = s["apply_errors"];
    out += "apply errors: " +
           (errors.value("available", false)
                ? num(errors, "apply_error_count") + " apply, " + num(errors, "sync_error_count") +
                      " sync"
                : std::string("not counted here (") + errors.value("note", "no statistics") + ")") +
           "\n";
    if (s.contains("schema_drift")) {
        const auto& d = s["schema_drift"];
        bool any = d.value("detected", false);
        out += std::string("schema:       ") +
               (any ? "DDL on blue since setup! tables changed: " + d["tables_changed"].dump() +
                          ", added: " + d["tables_added"].dump() +
                          ", dropped: " + d["tables_dropped"].dump() +
                          ", logged DDL: " + std::to_string(d["ddl_logged"].size())
                    : std::string("unchanged since setup")) +
               "\n";
    }
    return out;
}

}  // namespace pgflip::sync
