// The logical slot on blue and the snapshot it exports. CREATE_REPLICATION_SLOT ... LOGICAL
// pgoutput with an exported snapshot runs over a replication connection; the snapshot stays
// importable (SET TRANSACTION SNAPSHOT, pg_dump --snapshot) only while that connection stays
// open and idle, so SnapshotHolder keeps it for the whole copy. Syntax, measured: PG 14 accepts
// only `... LOGICAL pgoutput EXPORT_SNAPSHOT`; PG 15, 16 and 17 accept it and the new
// `... LOGICAL pgoutput (SNAPSHOT 'export')`, which setup uses from 15 on.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pgflip::sync {

//! A slot just created, its exported snapshot, and the connection that keeps it alive.
class SnapshotHolder {
  public:
    SnapshotHolder(pg::Connection conn, std::string slot, std::string snapshot,
                   pg::Lsn consistent_point)
        : conn_(std::move(conn)),
          slot_(std::move(slot)),
          snapshot_(std::move(snapshot)),
          consistent_point_(consistent_point) {}

    [[nodiscard]] const std::string& slot() const { return slot_; }
    [[nodiscard]] const std::string& snapshot() const { return snapshot_; }
    [[nodiscard]] pg::Lsn consistent_point() const { return consistent_point_; }
    //! Whether blue still holds the connection (and so the snapshot): reads what the server
    //! sent, which is why the connection is mutable.
    [[nodiscard]] bool alive() const { return conn_.still_open(); }

  private:
    mutable pg::Connection conn_;
    std::string slot_;
    std::string snapshot_;
    pg::Lsn consistent_point_;
};

//! The replication command creating `slot` with an exported snapshot on a `server_version`.
[[nodiscard]] std::string create_slot_command(const std::string& slot, int server_version);

//! Creates `slot` on blue and holds its snapshot. Waits for transactions running on blue to end
//! (that is how a consistent point is found), so the deadline names what blocks it.
Result<SnapshotHolder> create_slot_with_snapshot(const pg::Conninfo& blue, const std::string& slot,
                                                 pg::Deadline deadline);

struct SlotInfo {
    std::string name;
    bool active = false;
};

//! Slots of this database named `base` or `base_g<N>`.
Result<std::vector<SlotInfo>> setup_slots(pg::Connection& blue, const std::string& base,
                                          pg::Deadline deadline);
Status drop_slot(pg::Connection& blue, const std::string& name, pg::Deadline deadline);
//! Makes `to` a copy of `from` (same position), for a slot renamed after a resumed copy.
Status copy_slot(pg::Connection& blue, const std::string& from, const std::string& to,
                 pg::Deadline deadline);

//! Reads what `slot` (never advanced since it was created) holds for `publication` up to
//! `until`, and returns the oids of every table changed (inserted, updated, deleted or
//! truncated) by a transaction committed before `until`; may name a few more, never fewer.
Result<std::set<std::uint32_t>> tables_changed(const pg::Conninfo& blue, const std::string& slot,
                                               const std::string& publication, pg::Lsn until,
                                               pg::Deadline deadline);

}  // namespace pgflip::sync
