// Setup's steps and how a crash is recovered.
//
// The copy reads blue through the snapshot a logical slot exported at its consistent point C:
// every row committed before C is copied, every change committed after C is streamed by the
// subscription that later starts on that slot. No gap, no duplicate. Each work item (a table or
// a block range of one) is committed on green in one transaction together with its row in
// pgflip.copy_done, so green itself knows exactly which items it holds.
//
// The schema dump, the fingerprint of every table's definition, the foreign keys and the
// materialized views are read under one snapshot and saved before green is given that schema,
// so the saved fingerprint always describes the schema green has.
//
// A crash (even kill -9) loses the snapshot: it lives only as long as the replication
// connection that exported it. The items already on green are consistent as of C1, the old
// consistent point; the rest can only be copied under a new snapshot, at C2 > C1. Keeping an
// item from C1 is correct only if its table did not change between C1 and C2. The old slot
// still holds every change committed after C1, so setup creates the new slot first (to know
// C2), then reads the old slot's stream up to C2 and collects the tables it touched (INSERT,
// UPDATE, DELETE, TRUNCATE; partitions appear as their root). Some changes never show in that
// stream: a rewrite (VACUUM FULL, CLUSTER) moves rows between blocks, a TRUNCATE of one
// partition is not published when publishing via the root, a table dropped and created again
// has a new oid. All of them give the table a new file node, so every table with finished items
// must also still have the file node it was planned with. Tables that fail either test are
// truncated on green and copied again under the new snapshot; the others keep their items,
// because their content at C2 is the content at C1. If the old slot cannot be read, every
// finished table is copied again: correctness first.
//
// DDL on blue between C1 and C2 is found by the fingerprint. Green's schema cannot be restored
// again (it holds rows), so the operator runs the same DDL on green; setup goes on once green's
// definitions (columns, CHECK constraints, partitioning, read on both sides) match blue's for
// every table concerned, copies the changed tables again, and otherwise stops, before taking a
// new snapshot. Every resume then dumps the schema again at C2, so indexes, keys and foreign
// keys are blue's as of C2, and plans again every table none of whose items is on green (new
// columns, a new oid, new block ranges); a table with items on green keeps its planned ranges,
// the last of which is open-ended.
// The subscription must use the slot named <name>_slot; a slot of a later generation is
// copied under that name (pg_copy_logical_replication_slot, same position) at the end.
#include "sync/setup.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <thread>

#include "catalog/servers.hpp"
#include "pg/sql_template.hpp"
#include "sql/queries.hpp"
#include "state/state_dir.hpp"
#include "sync/copy.hpp"
#include "sync/drift.hpp"
#include "sync/globals.hpp"
#include "sync/index_builder.hpp"
#include "sync/plan.hpp"
#include "sync/post_data.hpp"
#include "sync/schema.hpp"
#include "sync/sequences.hpp"
#include "sync/session.hpp"
#include "sync/slot.hpp"
#include "sync/tools.hpp"

namespace pgflip::sync {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kShort{60000};
constexpr milliseconds kSlotWait{10 * 60 * 1000};  // running transactions must end first
constexpr milliseconds kLong{12 * 3600 * 1000};    // dumps, restores, the stream scan
constexpr const char* kStateDoc = "setup";

long long ms_since(pg::Clock::time_point start) {
    return std::chrono::duration_cast<milliseconds>(pg::Clock::now() - start).count();
}

//! Items green has committed: item id -> table oid.
using DoneItems = std::map<int, std::uint32_t>;

//! The tables green holds at least one finished item of.
std::set<std::uint32_t> tables_of(const DoneItems& done) {
    std::set<std::uint32_t> tables;
    for (const auto& [item, table] : done) tables.insert(table);
    return tables;
}

class Setup {
  public:
    Setup(const config::Config& config, const SetupOptions& options, Console& console)
        : config_(config),
          options_(options),
          console_(console),
          publication_(config.name + "_pub"),
          base_slot_(config.name + "_slot"),
          subscription_(config.name + "_sub") {}

    Result<SetupReport> run() {
        auto started = pg::Clock::now();
        PGFLIP_TRY(connect());
        PGFLIP_TRY(load_state());
        if (state_.complete()) {
            report_.already_complete = true;
            return finish_report(started);
        }
        PGFLIP_TRY(prepare());
        PGFLIP_TRY(step("globals", [this] { return globals(); }));
        PGFLIP_TRY(step("blue_objects", [this] { return blue_objects(); }));
        PGFLIP_TRY(step("copy", [this] { return copy_phase(); }));
        PGFLIP_TRY(step("ddl_trigger", [this] { return ddl_trigger(); }));
        PGFLIP_TRY(step("post_data", [this] { return post_data(); }));
        PGFLIP_TRY(step("analyze", [this] { return analyze(); }));
        PGFLIP_TRY(step("autovacuum", [this] { return autovacuum(); }));
        PGFLIP_TRY(step("subscription", [this] { return subscription(); }));
        PGFLIP_TRY(step("sequences", [this] { return sequences(); }));
        PGFLIP_TRY(step("cleanup", [this] { return cleanup(); }));
        return finish_report(started);
    }

  private:
    // ---- plumbing ------------------------------------------------------------------------

    pg::Connection& blue() { return servers_->blue; }
    pg::Connection& green() { return servers_->green; }

    Status connect() {
        auto servers = catalog::connect_servers(config_, pg::after(kShort));
        if (!servers) return servers.take_error();
        servers_.emplace(std::move(servers).value());
        blue_info_ = servers_->blue.info();
        green_info_ = servers_->green.info();
        name_sessions(blue_info_, config_.name);
        name_sessions(green_info_, config_.name);
        PGFLIP_TRY(require_superuser(servers_->blue_info, Side::blue));
        PGFLIP_TRY(require_superuser(servers_->green_info, Side::green));
        // Pinned like every setup session: catalog text (format_type, definitions) must read
        // the same on both sides, whatever search_path the roles default to.
        for (pg::Connection* conn : {&servers_->blue, &servers_->green}) {
            PGFLIP_TRY(exec(*conn, sql::sync_session_pin, pg::after(kShort)));
        }
        PGFLIP_TRY(exec(servers_->green, sql::sync_session_green, pg::after(kShort)));
        auto dir = state::StateDir::open(config_.state_dir);
        if (!dir) return dir.take_error();
        dir_.emplace(std::move(dir).value());
        journal_ = std::make_unique<Journal>(*dir_);
        return {};
    }

    static Status require_superuser(const catalog::ServerInfo& info, Side side) {
        if (info.superuser) return {};
        return make_error(
            side,
            "setup needs a superuser on " + std::string(to_string(side)) +
                " (roles with passwords, FOR ALL TABLES publication, "
                "event trigger, subscription)",
            "connect as a superuser in the " + std::string(to_string(side)) + " conninfo");
    }

    Status load_state() {
        auto doc = dir_->load(kStateDoc);
        if (!doc) return doc.take_error();
        if (doc->is_null()) return start_fresh();
        auto loaded = setup_state_from_json(*doc);
        if (!loaded) return loaded.take_error();
        state_ = std::move(loaded).value();
        resuming_ = true;
        report_.resumed = true;
        return check_same_migration();
    }

    Status start_fresh() {
        auto rows = green().query(sql::sync_green_user_tables, pg::after(kShort));
        if (!rows) return rows.take_error();
        if (rows->num(0, 0) > 0) {
            return make_error(Side::green,
                              "green's database already has " + rows->str(0, 0) + " tables",
                              "setup restores blue's schema itself: point green at an empty "
                              "database (CREATE DATABASE ...)");
        }
        state_.name = config_.name;
        state_.blue_system_id = servers_->blue_info.system_identifier;
        state_.blue_database = servers_->blue_info.database;
        state_.green_system_id = servers_->green_info.system_identifier;
        state_.green_database = servers_->green_info.database;
        return save();
    }

    Status check_same_migration() {
        bool same = state_.name == config_.name &&
                    state_.blue_system_id == servers_->blue_info.system_identifier &&
                    state_.blue_database == servers_->blue_info.database &&
                    state_.green_system_id == servers_->green_info.system_identifier &&
                    state_.green_database == servers_->green_info.database;
        if (same) return {};
        return make_error(Side::local,
                          "the state directory " + config_.state_dir +
                              " belongs to another migration (servers, databases or name differ)",
                          "use the --state-dir of this migration, or a new one");
    }

    Status save() { return dir_->save(kStateDoc, to_json(state_)); }

    Status record(const std::string& event, const nlohmann::json& fields) {
        return journal_->record(event, fields);
    }

    Status prepare() {
        auto tools = find_tools(config_, servers_->blue_info.major(), servers_->green_info.major());
        if (!tools) return tools.take_error();
        tools_ = std::move(tools).value();
        console_.log(std::string(resuming_ ? "resuming setup" : "setup") + ": blue PostgreSQL " +
                     servers_->blue_info.version + " -> green PostgreSQL " +
                     servers_->green_info.version + ", " + std::to_string(options_.jobs) +
                     " jobs, " + tools_->pg_dump + " " + tools_->version);
        PGFLIP_TRY(record("setup.started", {{"resumed", resuming_},
                                            {"jobs", options_.jobs},
                                            {"blue_version", servers_->blue_info.version},
                                            {"green_version", servers_->green_info.version},
                                            {"pg_dump", tools_->version}}));
        return clear_leftovers();
    }

    //! Ends sessions a killed setup of this migration left working, and drops slots no state
    //! refers to.
    Status clear_leftovers() {
        for (pg::Connection* conn : {&blue(), &green()}) {
            auto rows = conn->query(sql::sync_leftover_sessions, {session_prefix(blue_info_)},
                                    pg::after(kShort));
            if (!rows) return rows.take_error();
            if (rows->size() > 0) {
                console_.log("ended " + std::to_string(rows->size()) +
                             " session(s) of an earlier "
                             "setup on " +
                             std::string(to_string(conn->side())));
            }
        }
        auto slots = setup_slots(blue(), base_slot_, pg::after(kShort));
        if (!slots) return slots.take_error();
        for (const auto& s : *slots) {
            if (state_.slot && s.name == state_.slot->name) continue;
            PGFLIP_TRY(drop_slot_when_free(s.name));
            console_.log("dropped leftover slot " + s.name + " on blue");
        }
        return {};
    }

    //! Drops a slot, waiting up to 10 s for a just-terminated walsender to let go of it.
    Status drop_slot_when_free(const std::string& name) {
        for (int attempt = 0;; ++attempt) {
            Status s = drop_slot(blue(), name, pg::after(kShort));
            if (s.ok() || s.error().sqlstate == "42704") return {};         // gone is as good
            if (s.error().sqlstate != "55006" || attempt >= 100) return s;  // 55006: in use
            std::this_thread::sleep_for(milliseconds(100));
        }
    }

    Status step(const std::string& name, const std::function<Status()>& body) {
        if (state_.done(name)) return {};
        PGFLIP_TRY(record("setup.step", {{"step", name}, {"state", "started"}}));
        auto started = pg::Clock::now();
        Status s = body();
        long long ms = ms_since(started);
        if (!s.ok()) {
            ignore_failure(record(
                "setup.step",
                {{"step", name}, {"state", "failed"}, {"ms", ms}, {"error", s.error().str()}}));
            return s;
        }
        state_.done_steps.insert(name);
        PGFLIP_TRY(save());
        PGFLIP_TRY(record("setup.step", {{"step", name}, {"state", "done"}, {"ms", ms}}));
        report_.step_ms.emplace_back(name, ms);
        console_.log(name + " done in " + human_duration(static_cast<double>(ms) / 1000.0));
        return {};
    }

    void warn(const std::string& text) {
        console_.log("warning: " + text);
        report_.warnings.push_back(text);
    }

    // ---- steps before the copy ---------------------------------------------------------

    Status globals() {
        console_.log("roles: pg_dumpall --roles-only from blue, applied on green");
        auto result = copy_roles(*tools_, blue_info_, green(), pg::after(kLong));
        if (!result) return result.take_error();
        report_.roles_created = result->roles_created;
        for (const auto& w : result->warnings) warn(w);
        console_.log("roles: " + std::to_string(result->roles_created) + " created, " +
                     std::to_string(result->roles_kept) + " already on green (left as they are)");
        return {};
    }

    Status blue_objects() {
        PGFLIP_TRY(exec(blue(), sql::sync_pgflip_objects, pg::after(kShort)));
        PGFLIP_TRY(exec(blue(), sql::sync_heartbeat_seed, pg::after(kShort)));
        auto rows = blue().query(sql::sync_publication_exists, {publication_}, pg::after(kShort));
        if (!rows) return rows.take_error();
        if (!rows->empty()) {
            if (rows->boolean(0, 0)) return {};
            return make_error(
                Side::blue,
                "publication " + publication_ + " exists but does not publish every table",
                "drop it, or choose another name for this migration (name = ...)");
        }
        std::string with =
            servers_->blue_info.major() >= 13 ? "WITH (publish_via_partition_root = true)" : "";
        std::string create =
            pg::render(sql::sync_publication_create,
                       {{"publication", blue().quote_ident(publication_)}, {"with", with}});
        console_.log("publication " + publication_ + " on blue (FOR ALL TABLES)");
        return exec(blue(), create, pg::after(kShort));
    }

    // ---- the snapshot and the copy -----------------------------------------------------

    Status copy_phase() {
        if (state_.done("pre_data")) {
            // Checked before a new slot generation is spent on a run that would fail anyway.
            auto drift = green_follows(blue());
            if (!drift) return drift.take_error();
        }
        auto holder = take_snapshot();
        if (!holder) return holder.take_error();
        auto snap = open_session(blue_info_, Side::blue, "plan", pg::after(kShort));
        if (!snap) return snap.take_error();
        PGFLIP_TRY(enter_snapshot(*snap, holder->snapshot(), pg::after(kShort)));
        auto restored =
            state_.done("pre_data") ? Result<bool>(false) : restore_schema(*holder, *snap);
        if (!restored) return restored.take_error();
        if (!*restored) PGFLIP_TRY(follow_blue(*holder, *snap));
        PGFLIP_TRY(plan_copy(*snap));
        PGFLIP_TRY(exec(*snap, "COMMIT", pg::after(kShort)));
        return copy_rows(*holder);
    }

    Result<SnapshotHolder> new_slot(const std::string& name) {
        state_.pending_slot = name;
        PGFLIP_TRY(save());
        console_.log("slot " + name +
                     " on blue, exporting its snapshot (waits for running "
                     "transactions to end)");
        return create_slot_with_snapshot(blue_info_, name, pg::after(kSlotWait));
    }

    Status adopt_slot(const SnapshotHolder& holder, int generation) {
        state_.slot = SlotState{holder.slot(), holder.consistent_point().str(), generation};
        state_.pending_slot.clear();
        PGFLIP_TRY(save());
        report_.generation = generation;
        console_.log("snapshot " + holder.snapshot() + " at " + holder.consistent_point().str() +
                     " (generation " + std::to_string(generation) + ")");
        return record("setup.snapshot", {{"slot", holder.slot()},
                                         {"consistent_point", holder.consistent_point().str()},
                                         {"snapshot", holder.snapshot()},
                                         {"generation", generation}});
    }

    Result<SnapshotHolder> take_snapshot() {
        if (!state_.slot) return first_snapshot(base_slot_, 1);
        auto done = done_items();
        if (!done) return done.take_error();
        if (done->empty()) {
            // Nothing on green to keep: the old slot is simply replaced.
            PGFLIP_TRY(drop_slot_when_free(state_.slot->name));
            return first_snapshot(base_slot_, state_.slot->generation + 1);
        }
        return next_snapshot(*done);
    }

    Result<SnapshotHolder> first_snapshot(const std::string& name, int generation) {
        auto holder = new_slot(name);
        if (!holder) return holder.take_error();
        PGFLIP_TRY(adopt_slot(*holder, generation));
        return holder;
    }

    //! After a crash with items on green: a new slot, then the old one read up to it.
    Result<SnapshotHolder> next_snapshot(const DoneItems& done) {
        int generation = state_.slot->generation + 1;
        std::string old_slot = state_.slot->name;
        auto holder = new_slot(base_slot_ + "_g" + std::to_string(generation));
        if (!holder) return holder.take_error();
        PGFLIP_TRY(resync(*holder, old_slot, done));
        PGFLIP_TRY(adopt_slot(*holder, generation));
        PGFLIP_TRY(drop_slot_when_free(old_slot));
        return holder;
    }

    Result<DoneItems> done_items() {
        auto present = green().query(sql::sync_copy_done_exists, pg::after(kShort));
        if (!present) return present.take_error();
        DoneItems done;
        if (!present->boolean(0, 0)) return done;
        auto rows = green().query(sql::sync_copy_done_list, pg::after(kShort));
        if (!rows) return rows.take_error();
        for (int r = 0; r < rows->size(); ++r) {
            done[static_cast<int>(rows->num(r, 0))] = static_cast<std::uint32_t>(rows->num(r, 1));
        }
        return done;
    }

    //! Tables that changed (or moved) between the old snapshot and `holder`'s are emptied on
    //! green and forgotten, so the copy takes them again; see the top of this file.
    Status resync(const SnapshotHolder& holder, const std::string& old_slot,
                  const DoneItems& done) {
        console_.log("the snapshot of the interrupted copy is gone; reading slot " + old_slot +
                     " up to " + holder.consistent_point().str() + " for tables changed meanwhile");
        auto changed = tables_changed(blue_info_, old_slot, publication_, holder.consistent_point(),
                                      pg::after(kLong));
        if (!changed) {
            warn("could not read slot " + old_slot + " (" + changed.error().message +
                 "): every finished table is copied again");
        }
        auto moved = moved_tables(done);
        if (!moved) return moved.take_error();
        const auto finished = tables_of(done);
        std::vector<const TablePlan*> redo;
        for (const auto& t : state_.plan->tables) {
            if (finished.count(t.oid) == 0) continue;
            bool touched = !changed || changed->count(t.oid) > 0 || changed->count(t.root) > 0;
            if (touched || moved->count(t.oid) > 0) redo.push_back(&t);
        }
        return forget_tables(redo, done.size());
    }

    //! Tables with finished items whose file node is no longer the planned one: rewritten
    //! (VACUUM FULL, CLUSTER: rows moved between blocks), truncated (TRUNCATE of a partition is
    //! never streamed when publishing via the root), or dropped and created again (the planned
    //! oid has no file node any more).
    Result<std::set<std::uint32_t>> moved_tables(const DoneItems& done) {
        nlohmann::json oids(tables_of(done));
        auto rows = blue().query(sql::sync_filenodes, {oids.dump()}, pg::after(kShort));
        if (!rows) return rows.take_error();
        std::set<std::uint32_t> moved;
        for (int r = 0; r < rows->size(); ++r) {
            auto oid = static_cast<std::uint32_t>(rows->num(r, 0));
            const TablePlan* t = state_.plan->table(oid);
            if (t == nullptr) continue;
            if (rows->is_null(r, 1) || static_cast<std::uint32_t>(rows->num(r, 1)) != t->filenode) {
                moved.insert(oid);
            }
        }
        return moved;
    }

    Status forget_tables(const std::vector<const TablePlan*>& redo, size_t done_items) {
        nlohmann::json names = nlohmann::json::array();
        nlohmann::json oids = nlohmann::json::array();
        std::string truncate;
        for (const auto* t : redo) {
            names.push_back(t->schema + "." + t->name);
            oids.push_back(t->oid);
            report_.recopied_tables.push_back(t->schema + "." + t->name);
            // A table dropped on blue and, as told, on green has nothing left to empty.
            std::string name = qualified(green(), t->schema, t->name);
            auto present =
                green().query("SELECT to_regclass($1) IS NOT NULL", {name}, pg::after(kShort));
            if (!present) return present.take_error();
            if (present->boolean(0, 0)) truncate += (truncate.empty() ? "" : ", ") + name;
        }
        PGFLIP_TRY(
            record("setup.resync", {{"finished_items", done_items}, {"recopied_tables", names}}));
        console_.log(std::to_string(redo.size()) + " finished table(s) changed meanwhile and " +
                     "are copied again; the rest of the " + std::to_string(done_items) +
                     " finished item(s) are kept");
        if (redo.empty()) return {};
        auto deadline = pg::after(kLong);
        PGFLIP_TRY(exec(green(), "BEGIN", deadline));
        Status s =
            truncate.empty() ? Status() : exec(green(), "TRUNCATE ONLY " + truncate, deadline);
        if (s.ok()) s = exec(green(), sql::sync_copy_done_forget, {oids.dump()}, deadline);
        if (s.ok()) return exec(green(), "COMMIT", deadline);
        ignore_failure(green().query("ROLLBACK", pg::after(kShort)));
        return s;
    }

    //! Pre-data schema under the snapshot, restored with pgflip's objects in one transaction:
    //! pgflip.copy_done exists on green exactly when the schema is there. False when an earlier
    //! run restored it (and died before saving that): it is then from that run's snapshot.
    Result<bool> restore_schema(const SnapshotHolder& holder, pg::Connection& snap) {
        auto present = green().query(sql::sync_copy_done_exists, pg::after(kShort));
        if (!present) return present.take_error();
        bool restore = !present->boolean(0, 0);
        if (restore) {
            console_.log("schema: pg_dump under the snapshot, pre-data restored on green");
            PGFLIP_TRY(take_schema(holder, snap));
            auto script = pre_data_script(*tools_, schema_dump(), pg::after(kLong));
            if (!script) return script.take_error();
            auto conn = open_session(green_info_, Side::green, "restore", pg::after(kShort));
            if (!conn) return conn.take_error();
            std::string all = "BEGIN;\n" + *script + ";\n" + std::string(sql::sync_pgflip_objects) +
                              std::string(sql::sync_copy_done_create) +
                              std::string(sql::sync_autovacuum_pause) + "COMMIT;\n";
            PGFLIP_TRY(exec(*conn, all, pg::after(kLong)));
        }
        state_.done_steps.insert("pre_data");
        PGFLIP_TRY(save());
        PGFLIP_TRY(record("setup.step", {{"step", "pre_data"}, {"state", "done"}}));
        return restore;
    }

    //! The schema dump and what setup reads beside it (fingerprint, foreign keys, materialized
    //! views), all under one snapshot, saved before green gets anything from them: the
    //! fingerprint always describes the schema green was given.
    Status take_schema(const SnapshotHolder& holder, pg::Connection& snap) {
        PGFLIP_TRY(
            dump_schema(*tools_, blue_info_, holder.snapshot(), schema_dump(), pg::after(kLong)));
        post_data_toc_.reset();
        auto print = read_fingerprint(snap, pg::after(kLong));
        if (!print) return print.take_error();
        state_.fingerprint = std::move(print).value();
        PGFLIP_TRY(read_foreign_keys(snap));
        PGFLIP_TRY(read_matviews(snap));
        return save();
    }

    //! On resume green's schema is from an earlier snapshot. DDL run on blue since is accepted
    //! once green has the same definitions (green_follows); the tables it touched are copied
    //! again, and the schema is dumped again at this snapshot, so indexes, keys and foreign keys
    //! are blue's as of now.
    Status follow_blue(const SnapshotHolder& holder, pg::Connection& snap) {
        auto drift = green_follows(snap);
        if (!drift) return drift.take_error();
        if (drift->any()) PGFLIP_TRY(accept_drift(*drift, snap));
        return take_schema(holder, snap);
    }

    //! What changed on blue since the fingerprint, as seen through `blue_conn`; an error unless
    //! green has blue's definition of every table concerned.
    Result<Drift> green_follows(pg::Connection& blue_conn) {
        auto now = read_fingerprint(blue_conn, pg::after(kLong));
        if (!now) return now.take_error();
        Drift drift = compare_fingerprints(state_.fingerprint, *now);
        if (!drift.any()) return drift;
        auto on_blue = read_definitions(blue_conn, pg::after(kLong));
        if (!on_blue) return on_blue.take_error();
        auto on_green = read_definitions(green(), pg::after(kLong));
        if (!on_green) return on_green.take_error();
        std::vector<std::string> differ;
        for (const auto* tables : {&drift.changed, &drift.added, &drift.dropped}) {
            for (const auto& t : *tables) {
                if (definition_of(*on_blue, t) != definition_of(*on_green, t)) differ.push_back(t);
            }
        }
        if (differ.empty()) return drift;
        return make_error(
            Side::blue,
            describe(drift) + "; green's schema does not have it yet (" + joined(differ) + ")",
            "run the same DDL on green (columns, CHECK constraints, tables, "
            "partitions), then run setup again: it copies those tables again and "
            "takes indexes, keys and foreign keys from blue itself");
    }

    //! Green has the DDL blue got since the fingerprint: the changed tables are emptied and
    //! planned again, and post-data looks up what green already has (the DDL run there may
    //! include indexes the new dump also holds).
    Status accept_drift(const Drift& drift, pg::Connection& snap) {
        warn(describe(drift) + "; green has the same definitions: those tables are copied again");
        state_.done_steps.insert("post_data_started");
        PGFLIP_TRY(save());
        if (!state_.plan) return {};
        auto on_blue = read_definitions(snap, pg::after(kLong));
        if (!on_blue) return on_blue.take_error();
        auto done = done_items();
        if (!done) return done.take_error();
        std::set<std::uint32_t> changed;
        for (const auto& t : drift.changed) {
            auto it = on_blue->find(t);
            if (it != on_blue->end()) changed.insert(it->second.oid);
        }
        const auto finished = tables_of(*done);
        std::vector<const TablePlan*> redo;
        for (const auto& t : state_.plan->tables) {
            if (finished.count(t.oid) > 0 && changed.count(t.oid) > 0) redo.push_back(&t);
        }
        return forget_tables(redo, done->size());
    }

    //! The plan at this snapshot, except that tables with items already on green keep their
    //! planned items (ranges from an earlier snapshot, which green's items are part of).
    Status plan_copy(pg::Connection& snap) {
        auto fresh =
            make_plan(snap, green(), options_.jobs, options_.chunk_bytes, pg::after(kLong));
        if (!fresh) return fresh.take_error();
        auto done = done_items();
        if (!done) return done.take_error();
        if (!state_.plan) PGFLIP_TRY(read_sequence_start());
        state_.plan = keep_finished(std::move(fresh).value(), *done);
        PGFLIP_TRY(save());
        long long bytes = 0;
        for (const auto& t : state_.plan->tables) bytes += t.heap_bytes + t.toast_bytes;
        console_.log("plan: " + std::to_string(state_.plan->tables.size()) + " tables, " +
                     human_bytes(static_cast<double>(bytes)) + ", " +
                     std::to_string(state_.plan->items.size()) + " work items of up to " +
                     human_bytes(static_cast<double>(state_.plan->chunk_bytes)));
        return record("setup.plan", {{"tables", state_.plan->tables.size()},
                                     {"items", state_.plan->items.size()},
                                     {"bytes", bytes},
                                     {"chunk_bytes", state_.plan->chunk_bytes}});
    }

    //! `fresh`, with the tables green holds items of taken from the current plan instead; the
    //! fresh items get ids no earlier item had.
    Plan keep_finished(Plan fresh, const DoneItems& done) const {
        if (!state_.plan) return fresh;
        const auto kept = tables_of(done);
        Plan out;
        out.chunk_bytes = fresh.chunk_bytes;
        int last_id = 0;
        for (const auto& item : state_.plan->items) {
            last_id = std::max(last_id, item.id);
            if (kept.count(item.table_oid) > 0) out.items.push_back(item);
        }
        for (const auto& t : state_.plan->tables) {
            if (kept.count(t.oid) > 0) out.tables.push_back(t);
        }
        for (auto& t : fresh.tables) {
            if (kept.count(t.oid) == 0) out.tables.push_back(std::move(t));
        }
        for (auto& item : fresh.items) {
            if (kept.count(item.table_oid) > 0) continue;
            item.id = ++last_id;
            out.items.push_back(item);
        }
        return out;
    }

    Status read_foreign_keys(pg::Connection& snap) {
        auto rows = snap.query(sql::sync_foreign_keys, pg::after(kLong));
        if (!rows) return rows.take_error();
        state_.foreign_keys.clear();
        for (int r = 0; r < rows->size(); ++r) {
            state_.foreign_keys.push_back({rows->str(r, 0), rows->str(r, 1), rows->str(r, 3),
                                           rows->str(r, 4), rows->boolean(r, 5),
                                           rows->boolean(r, 2)});
        }
        return {};
    }

    Status read_matviews(pg::Connection& snap) {
        auto rows = snap.query(sql::sync_matviews, pg::after(kLong));
        if (!rows) return rows.take_error();
        state_.matviews.clear();
        for (int r = 0; r < rows->size(); ++r) {
            state_.matviews.push_back({rows->str(r, 0), rows->str(r, 1)});
        }
        return {};
    }

    Status read_sequence_start() {
        auto seqs = read_sequences(blue(), pg::after(kShort));
        if (!seqs) return seqs.take_error();
        state_.sequences_at_start.clear();
        for (const auto& s : *seqs) {
            if (s.last_value) state_.sequences_at_start[s.key()] = *s.last_value;
        }
        state_.sequences_at_start_ms = state::monotonic_ms();
        return {};
    }

    Status copy_rows(const SnapshotHolder& holder) {
        auto done = done_items();
        if (!done) return done.take_error();
        CopyJob job;
        job.plan = &*state_.plan;
        for (const auto& item : state_.plan->items) {
            if (done->count(item.id) == 0) job.items.push_back(item);
        }
        job.blue = blue_info_;
        job.green = green_info_;
        job.snapshot = holder.snapshot();
        job.generation = state_.slot->generation;
        job.jobs = options_.jobs;
        report_.tables = static_cast<int>(state_.plan->tables.size());
        report_.items = static_cast<int>(state_.plan->items.size());
        console_.log("copy: " + std::to_string(job.items.size()) + " of " +
                     std::to_string(report_.items) + " items to go, " +
                     std::to_string(options_.jobs) + " workers");
        auto builder = index_builder(job.items);
        if (!builder) return builder.take_error();
        if (*builder) job.on_table_done = [&b = **builder](std::uint32_t t) { b.table_done(t); };
        auto totals = run_copy(job, *journal_, console_);
        if (*builder) {
            Status built = (*builder)->finish(!totals.ok());
            if (totals.ok() && !built.ok()) return built;
            if (built.ok()) {
                restored_early_ = (*builder)->built();
                analyzed_early_ = (*builder)->analyzed();
            }
        }
        if (!totals) return totals.take_error();
        if (!holder.alive()) {
            return make_error(Side::blue, "the connection holding the snapshot was lost",
                              "run pgflip setup again: it resumes with a new snapshot");
        }
        report_.items_copied = totals->items;
        report_.rows_copied = totals->rows;
        report_.bytes_copied = totals->bytes;
        return {};
    }

    //! The builder of indexes beside the copy (index_builder.hpp), with the tables whose rows
    //! are already all on green handed over. None when post-data has begun in an earlier run:
    //! then the post-data step looks up on green what is already there.
    Result<std::unique_ptr<IndexBuilder>> index_builder(const std::vector<ItemPlan>& to_copy) {
        if (state_.done("post_data_started")) return std::unique_ptr<IndexBuilder>();
        auto entries = post_data_toc();
        if (!entries) return entries.take_error();
        auto by_table = index_entries_by_table(blue(), *entries, *state_.plan, pg::after(kShort));
        if (!by_table) return by_table.take_error();
        if (by_table->empty()) return std::unique_ptr<IndexBuilder>();
        auto extended = blue().query(sql::sync_extended_statistics, pg::after(kShort));
        if (!extended) return extended.take_error();
        state_.done_steps.insert("post_data_started");
        PGFLIP_TRY(save());
        IndexBuildJob job;
        job.tools = &*tools_;
        job.green = green_info_;
        job.dump = schema_dump();
        job.list_dir = dir_->path();
        job.jobs = options_.jobs;
        job.plan = &*state_.plan;
        job.entries = std::move(by_table).value();
        for (int r = 0; r < extended->size(); ++r) {
            job.analyze_later.insert(static_cast<std::uint32_t>(extended->num(r, 0)));
        }
        auto builder = std::make_unique<IndexBuilder>(std::move(job), *journal_, console_);
        std::set<std::uint32_t> copying;
        for (const auto& item : to_copy) copying.insert(item.table_oid);
        for (const auto& t : state_.plan->tables) {
            if (copying.count(t.oid) == 0) builder->table_done(t.oid);
        }
        return builder;
    }

    fs::path schema_dump() const { return dir_->path() / "schema.dump"; }

    //! The post-data entries of the schema dump (pg_restore --list), read once per run.
    Result<std::vector<TocEntry>> post_data_toc() {
        if (!post_data_toc_) {
            auto entries = post_data_entries(*tools_, schema_dump(), pg::after(kShort));
            if (!entries) return entries.take_error();
            post_data_toc_ = std::move(entries).value();
        }
        return *post_data_toc_;
    }

    // ---- after the copy ----------------------------------------------------------------

    //! DDL on blue from now on is logged (the dump has been taken, so green never gets this).
    Status ddl_trigger() {
        Status s = exec(blue(), sql::sync_ddl_trigger, pg::after(kShort));
        if (!s.ok()) {
            warn("no DDL event trigger on blue (" + s.error().message +
                 "); DDL is still detected by the schema fingerprint");
        }
        return {};
    }

    Status post_data() {
        const auto file = schema_dump();
        auto entries = post_data_toc();
        if (!entries) return entries.take_error();
        if (restored_early_) {
            std::vector<TocEntry> rest;
            for (auto& e : *entries) {
                if (restored_early_->count(e.dump_id) == 0) rest.push_back(std::move(e));
            }
            entries = std::move(rest);
        } else if (state_.done("post_data_started")) {
            auto missing =
                missing_on_green(std::move(entries).value(), blue(), green(), pg::after(kLong));
            if (!missing) return missing.take_error();
            entries = std::move(missing).value();
        } else {
            state_.done_steps.insert("post_data_started");
            PGFLIP_TRY(save());
        }
        console_.log("indexes and constraints: pg_restore -j " + std::to_string(options_.jobs) +
                     " (" + std::to_string(entries->size()) + " entries)");
        PGFLIP_TRY(restore_entries(*tools_, green_info_, file, *entries,
                                   dir_->path() / "post_data.list", options_.jobs,
                                   pg::after(kLong)));
        console_.log("foreign keys: " + std::to_string(state_.foreign_keys.size()) +
                     " added NOT VALID, then validated");
        return add_foreign_keys(green_info_, state_.foreign_keys, options_.jobs);
    }

    Status analyze() {
        PGFLIP_TRY(refresh_matviews(green(), state_.matviews));
        console_.log("ANALYZE of " +
                     std::to_string(state_.plan->tables.size() - analyzed_early_.size()) +
                     " tables (and the partitioned ones); " +
                     std::to_string(analyzed_early_.size()) + " were analyzed beside the copy");
        return analyze_tables(green_info_, *state_.plan, analyzed_early_, options_.jobs);
    }

    //! Autovacuum, off on the copied tables since the schema restore, comes back on before
    //! changes stream in.
    Status autovacuum() {
        auto resumed = resume_autovacuum(green());
        if (!resumed) return resumed.take_error();
        report_.autovacuum_resumed = *resumed;
        console_.log("autovacuum: back on for " + std::to_string(*resumed) +
                     " tables (off while they were copied, indexed and analyzed)");
        return record("setup.autovacuum", {{"tables", *resumed}});
    }

    Status subscription() {
        auto rows =
            green().query(sql::sync_subscription_exists, {subscription_}, pg::after(kShort));
        if (!rows) return rows.take_error();
        if (!rows->empty()) return {};
        PGFLIP_TRY(rename_slot());
        std::string create =
            pg::render(sql::sync_subscription_create,
                       {{"subscription", green().quote_ident(subscription_)},
                        {"conninfo", green().quote_literal(config_.blue_from_green)},
                        {"publication", green().quote_ident(publication_)},
                        {"slot", green().quote_literal(base_slot_)}});
        console_.log("subscription " + subscription_ + " on green, on slot " + base_slot_ +
                     " from " + state_.slot->consistent_point);
        return exec(green(), create, pg::after(kShort));
    }

    //! A later generation's slot becomes <name>_slot: copied at the same position, then dropped.
    Status rename_slot() {
        if (state_.slot->name == base_slot_) return {};
        auto slots = setup_slots(blue(), base_slot_, pg::after(kShort));
        if (!slots) return slots.take_error();
        bool copied = false;
        for (const auto& s : *slots) copied = copied || s.name == base_slot_;
        if (!copied)
            PGFLIP_TRY(copy_slot(blue(), state_.slot->name, base_slot_, pg::after(kShort)));
        std::string old = state_.slot->name;
        state_.slot->name = base_slot_;
        PGFLIP_TRY(save());
        return drop_slot_when_free(old);
    }

    Status sequences() {
        auto moved =
            presync_sequences(blue(), green(), state_.sequences_at_start, pg::after(kShort));
        if (!moved) return moved.take_error();
        report_.sequences_moved = *moved;
        console_.log("sequences: " + std::to_string(*moved) +
                     " moved ahead of blue on green (cutover sets them exactly)");
        return {};
    }

    Status cleanup() { return exec(green(), sql::sync_copy_done_drop, pg::after(kShort)); }

    Result<SetupReport> finish_report(pg::Clock::time_point started) {
        report_.total_ms = ms_since(started);
        report_.publication = publication_;
        report_.subscription = subscription_;
        report_.slot = base_slot_;
        if (state_.slot) {
            report_.consistent_point = state_.slot->consistent_point;
            report_.generation = state_.slot->generation;
        }
        if (state_.plan) {
            report_.tables = static_cast<int>(state_.plan->tables.size());
            report_.items = static_cast<int>(state_.plan->items.size());
        }
        if (!report_.already_complete) {
            PGFLIP_TRY(record("setup.done", {{"ms", report_.total_ms},
                                             {"generation", report_.generation},
                                             {"rows", report_.rows_copied},
                                             {"bytes", report_.bytes_copied}}));
        }
        return report_;
    }

    const config::Config& config_;
    SetupOptions options_;
    Console& console_;
    std::string publication_;
    std::string base_slot_;
    std::string subscription_;
    std::optional<catalog::Servers> servers_;
    std::optional<state::StateDir> dir_;
    std::unique_ptr<Journal> journal_;
    pg::Conninfo blue_info_;
    pg::Conninfo green_info_;
    std::optional<Tools> tools_;
    SetupState state_;
    SetupReport report_;
    //! The schema dump's post-data entries, read once per run (post_data_toc()).
    std::optional<std::vector<TocEntry>> post_data_toc_;
    //! The post-data entries this run restored beside the copy (none: no builder ran).
    std::optional<std::set<int>> restored_early_;
    //! The tables this run analyzed beside the copy.
    std::set<std::uint32_t> analyzed_early_;
    bool resuming_ = false;
};

}  // namespace

Result<SetupReport> run_setup(const config::Config& config, const SetupOptions& options,
                              Console& console) {
    Setup setup(config, options, console);
    return setup.run();
}

nlohmann::json to_json(const SetupReport& r) {
    nlohmann::json steps = nlohmann::json::object();
    for (const auto& [name, ms] : r.step_ms) steps[name] = ms;
    return {{"ok", true},
            {"already_complete", r.already_complete},
            {"resumed", r.resumed},
            {"generation", r.generation},
            {"recopied_tables", r.recopied_tables},
            {"publication", r.publication},
            {"slot", r.slot},
            {"subscription", r.subscription},
            {"consistent_point", r.consistent_point},
            {"tables", r.tables},
            {"items", r.items},
            {"items_copied", r.items_copied},
            {"rows_copied", r.rows_copied},
            {"bytes_copied", r.bytes_copied},
            {"roles_created", r.roles_created},
            {"sequences_moved", r.sequences_moved},
            {"autovacuum_resumed", r.autovacuum_resumed},
            {"warnings", r.warnings},
            {"step_ms", steps},
            {"total_ms", r.total_ms}};
}

}  // namespace pgflip::sync
