// Whether green is replicating from blue right now, and waiting until green has applied all that
// blue had committed at some moment. This is what lets verify tell lag from loss: a row read on
// blue before position L is compared with green only once green has applied past L.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "pg/connection.hpp"
#include "pg/lsn.hpp"

namespace pgflip::verify {

//! A subscription on green that streams from a slot in blue's database.
struct Subscription {
    long long oid = 0;
    std::string name;
    bool enabled = false;
};

class Replication {
  public:
    //! Finds the subscriptions on green whose slot lives in blue's current database.
    static Result<Replication> detect(pg::Connection& blue, pg::Connection& green,
                                      pg::Deadline deadline);

    //! True when at least one such subscription is enabled: differences may be lag.
    [[nodiscard]] bool live() const { return !enabled_oids().empty(); }
    [[nodiscard]] const std::vector<Subscription>& subscriptions() const { return subs_; }
    //! One line for the report: "subscription x streaming", "stopped (disabled)", "none".
    [[nodiscard]] std::string describe() const;

    //! Tables ("schema\x1ftable" ids) whose initial copy has not finished on green.
    Result<std::set<std::string>> syncing_tables(pg::Connection& green,
                                                 pg::Deadline deadline) const;

    //! Blue's WAL insert position now (after a read, it covers every commit the read saw).
    static Result<pg::Lsn> blue_position(pg::Connection& blue, pg::Deadline deadline);
    //! Waits until every enabled subscription has applied up to `position`.
    Status wait_applied(pg::Connection& green, pg::Lsn position, pg::Deadline deadline) const;

  private:
    [[nodiscard]] std::vector<long long> enabled_oids() const;
    Result<bool> applied(pg::Connection& green, pg::Lsn position, pg::Deadline deadline) const;

    std::vector<Subscription> subs_;
};

//! The position that must be reached: an insert position just past a WAL page header means the
//! page start (no record ends inside a header, and an idle walsender reports the page start).
[[nodiscard]] pg::Lsn required_position(pg::Lsn insert_position, int wal_block_size);

}  // namespace pgflip::verify
