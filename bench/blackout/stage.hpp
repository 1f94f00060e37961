// The stage every flip of the bench plays on: blue and green clusters (PG 14 -> 16 by default),
// the application role, a pgbench database on both sides, a PgBouncer in transaction mode per
// database, and replication armed with plain SQL in either direction, as an operator would do it
// by hand (<name>_pub, <name>_sub, <name>_slot).
#pragma once

#include <filesystem>
#include <string>

#include "common/result.hpp"
#include "lab/lab.hpp"
#include "pg/connection.hpp"
#include "process.hpp"

namespace pgflip::bench {

//! The role pgbench writes as, through PgBouncer; the one pgflip fences.
inline constexpr const char* app_user = "app";

struct StageOptions {
    int blue_major = 14;
    int green_major = 16;
    int scale = 10;  //!< pgbench scale factor
    fs::path dir;    //!< clusters, bouncers and logs go under it
    fs::path pgbench;
};

//! The other side: blue <-> green.
[[nodiscard]] Side other(Side side);

class Stage {
  public:
    static Result<Stage> start(const StageOptions& options);

    //! A database on both sides: pgbench -i (with data) on blue, the same tables empty on
    //! green, a primary key on pgbench_history, privileges for the application role.
    Status create_database(const std::string& dbname);
    //! A PgBouncer (transaction pooling) whose entry `dbname` points at `primary`.
    Result<lab::Bouncer> start_bouncer(const std::string& dbname, Side primary) const;

    [[nodiscard]] const lab::Cluster& cluster(Side side) const;
    [[nodiscard]] int port(Side side) const { return cluster(side).port(); }
    //! Superuser conninfo for a database on one side.
    [[nodiscard]] std::string conninfo(Side side, const std::string& dbname) const;
    [[nodiscard]] Result<pg::Connection> connect(Side side, const std::string& dbname) const;
    //! Which side a bouncer's entry `dbname` points at, asked through the bouncer itself.
    [[nodiscard]] Result<Side> served_by(const lab::Bouncer& bouncer,
                                         const std::string& dbname) const;
    [[nodiscard]] const fs::path& dir() const { return options_.dir; }

  private:
    Stage(StageOptions options, lab::Cluster blue, lab::Cluster green, std::string password)
        : options_(std::move(options)),
          blue_(std::move(blue)),
          green_(std::move(green)),
          password_(std::move(password)) {}
    Status init_side(Side side, const std::string& dbname);

    StageOptions options_;
    lab::Cluster blue_;
    lab::Cluster green_;
    std::string password_;  //!< the application role's, known to PgBouncer's auth_file only
};

//! The replication objects a flip's configuration name implies.
struct ReplicationNames {
    std::string publication, subscription, slot;
    static ReplicationNames from(const std::string& name);
};

//! Makes `subscriber` a fresh copy of `publisher` in `dbname`: removes what earlier flips left
//! (subscription, orphaned slots), empties its tables, subscribes with copy_data = true, and
//! waits until every table is ready and the slot has caught up. Outside any measured window.
Status arm_from_scratch(const Stage& stage, const std::string& dbname, Side publisher,
                        const ReplicationNames& names, milliseconds timeout);

//! Removes the subscription `names` on `side` and its slot on both sides, if present.
Status disarm(const Stage& stage, const std::string& dbname, Side side,
              const ReplicationNames& names, pg::Deadline deadline);

//! Rows in pgbench_history: one per committed TPC-B transaction.
Result<long long> history_rows(const Stage& stage, const std::string& dbname, Side side);

}  // namespace pgflip::bench
