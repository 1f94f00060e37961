#include "sync/slot.hpp"

#include <chrono>

#include "sql/queries.hpp"
#include "sync/session.hpp"
#include "sync/stream.hpp"

namespace pgflip::sync {

namespace {

constexpr std::int64_t kPostgresEpochUnixSeconds = 946684800;  // 2000-01-01
constexpr auto kStatusInterval = std::chrono::seconds(10);

std::uint64_t postgres_now_us() {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count();
    return static_cast<std::uint64_t>(us - kPostgresEpochUnixSeconds * 1000000);
}

Result<pg::Connection> replication_connection(const pg::Conninfo& blue, pg::Deadline deadline) {
    pg::Conninfo info = blue;
    info.set("application_name", session_name(blue, "snapshot"));
    auto conn = pg::Connection::connect(info, Side::blue, deadline, true);
    if (!conn) return conn;
    // The holder sits idle in the snapshot's transaction for the whole copy: no timeout of the
    // role's or the database's may end it.
    auto rows = conn->query(sql::sync_snapshot_holder_session, deadline);
    if (!rows) return rows.take_error();
    return conn;
}

//! Follows the stream, collecting changed tables, until everything committed before `until`
//! has been seen.
class ChangeCollector {
  public:
    ChangeCollector(pg::Connection& conn, pg::Lsn until) : conn_(conn), until_(until) {}

    //! The copy_out sink: false once the stream has passed `until`.
    bool operator()(std::string_view data) {
        auto m = parse_stream_message(data);
        if (!m) return true;
        if (m->kind == StreamMessage::Kind::keepalive) return on_keepalive(*m);
        // Transactions arrive in commit order: the first one committing after `until` ends it.
        if (m->tag == 'B' && m->final_lsn > until_.value) {
            reached_ = true;
            return false;
        }
        tables_.insert(m->relids.begin(), m->relids.end());
        maybe_report(false);
        return reply_ok_;
    }

    [[nodiscard]] const std::set<std::uint32_t>& tables() const { return tables_; }
    [[nodiscard]] bool reached() const { return reached_; }
    [[nodiscard]] const Status& reply_status() const { return reply_status_; }

  private:
    bool on_keepalive(const StreamMessage& m) {
        // The server has decoded up to wal_end: nothing committed before it is still to come.
        if (m.wal_end >= until_.value) {
            reached_ = true;
            return false;
        }
        maybe_report(m.reply_requested);
        return reply_ok_;
    }

    //! Status updates keep wal_sender_timeout from ending a long read; they confirm nothing.
    void maybe_report(bool requested) {
        auto now = pg::Clock::now();
        if (!requested && now - last_report_ < kStatusInterval) return;
        last_report_ = now;
        reply_status_ = conn_.put_copy_data(status_update(postgres_now_us()),
                                            pg::after(pg::milliseconds(10000)));
        reply_ok_ = reply_status_.ok();
    }

    pg::Connection& conn_;
    pg::Lsn until_;
    std::set<std::uint32_t> tables_;
    bool reached_ = false;
    bool reply_ok_ = true;
    Status reply_status_;
    pg::Clock::time_point last_report_ = pg::Clock::now();
};

}  // namespace

std::string create_slot_command(const std::string& slot, int server_version) {
    // Slot names are [a-z0-9_] (config validates the prefix), so they need no quoting.
    if (server_version >= 150000) {
        return "CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput (SNAPSHOT 'export')";
    }
    return "CREATE_REPLICATION_SLOT " + slot + " LOGICAL pgoutput EXPORT_SNAPSHOT";
}

Result<SnapshotHolder> create_slot_with_snapshot(const pg::Conninfo& blue, const std::string& slot,
                                                 pg::Deadline deadline) {
    auto conn = replication_connection(blue, deadline);
    if (!conn) return conn.take_error();
    auto rows = conn->query(create_slot_command(slot, conn->server_version()), deadline);
    if (!rows) {
        Error e = rows.take_error();
        if (e.sqlstate == "57014") {
            e.message = "creating slot " + slot +
                        " waited for running transactions on blue "
                        "until the deadline";
            e.fix =
                "a slot needs every transaction open on blue to end: look for long or idle "
                "in transaction sessions (pg_stat_activity) and end them";
        } else if (e.sqlstate == "42710") {
            e.fix =
                "slot names are per server, not per database: give this migration another "
                "name (name = ... in pgflip.toml, or PGFLIP_NAME), or drop that slot";
        }
        return e;
    }
    auto lsn = pg::Lsn::parse(rows->get(0, 1));
    if (!lsn || rows->str(0, 2).empty()) {
        return make_error(Side::blue, "CREATE_REPLICATION_SLOT returned no snapshot");
    }
    return SnapshotHolder(std::move(conn).value(), slot, rows->str(0, 2), *lsn);
}

Result<std::vector<SlotInfo>> setup_slots(pg::Connection& blue, const std::string& base,
                                          pg::Deadline deadline) {
    auto rows = blue.query(sql::sync_slots, {base}, deadline);
    if (!rows) return rows.take_error();
    std::vector<SlotInfo> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back({rows->str(r, 0), rows->boolean(r, 1)});
    return out;
}

Status drop_slot(pg::Connection& blue, const std::string& name, pg::Deadline deadline) {
    auto rows = blue.query(sql::sync_slot_drop, {name}, deadline);
    if (!rows) return rows.take_error();
    return {};
}

Status copy_slot(pg::Connection& blue, const std::string& from, const std::string& to,
                 pg::Deadline deadline) {
    auto rows = blue.query(sql::sync_slot_copy, {from, to}, deadline);
    if (!rows) return rows.take_error();
    return {};
}

Result<std::set<std::uint32_t>> tables_changed(const pg::Conninfo& blue, const std::string& slot,
                                               const std::string& publication, pg::Lsn until,
                                               pg::Deadline deadline) {
    auto conn = replication_connection(blue, deadline);
    if (!conn) return conn.take_error();
    // Names are [a-z0-9_]: the publication list needs no escaping inside its quotes.
    std::string command = "START_REPLICATION SLOT " + slot +
                          " LOGICAL 0/0 (proto_version '1', publication_names '\"" + publication +
                          "\"')";
    ChangeCollector collector(*conn, until);
    Status streamed = conn->copy_out(
        command, [&collector](std::string_view data) { return collector(data); }, deadline);
    if (!collector.reply_status().ok()) return collector.reply_status().error();
    if (!streamed.ok()) return streamed.take_error();
    if (!collector.reached()) {
        return make_error(Side::blue,
                          "the stream of slot " + slot + " ended before " + until.str());
    }
    return collector.tables();
}

}  // namespace pgflip::sync
