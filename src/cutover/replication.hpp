// The replication objects a flip works on: publications, subscriptions and slots on either
// side, read and changed with the queries in cutover/sql/. Every change here is idempotent, so
// a flip that stopped half-way is settled by running the same functions again.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cutover/clock.hpp"
#include "pg/connection.hpp"

namespace pgflip::cutover {

struct SubscriptionState {
    bool enabled = false;
    std::string slot;  //!< empty when the subscription has none (slot_name = NONE)
    long long tables = 0;
    long long not_ready = 0;    //!< tables not yet in state 'r'
    bool has_sentinel = false;  //!< pgflip.sentinel among its tables
    int worker_pid = 0;         //!< the apply worker, 0 when not running
};

struct SlotState {
    bool active = false;
    int active_pid = 0;
    bool logical = false;
    long long lag_bytes = 0;  //!< WAL written here that the consumer has not confirmed
};

//! A subscription of this database by name; nullopt when there is none.
Result<std::optional<SubscriptionState>> read_subscription(pg::Connection& conn,
                                                           const std::string& name,
                                                           Deadline deadline);
//! A replication slot by name; nullopt when there is none.
Result<std::optional<SlotState>> read_slot(pg::Connection& conn, const std::string& name,
                                           Deadline deadline);

//! Creates `name` FOR ALL TABLES when missing.
Status ensure_publication(pg::Connection& conn, const std::string& name, Deadline deadline);
//! Makes sure a publication carries pgflip.sentinel (added when it lists its tables).
Status publish_sentinel(pg::Connection& conn, const std::string& publication, Deadline deadline);

//! What a subscription to create looks like.
struct SubscriptionSpec {
    std::string name, publication, slot;
    std::string conninfo;  //!< how the subscriber reaches the publisher (secret: never logged)
};
//! Creates the subscription disabled, without slot and without copy.
Status create_disabled_subscription(pg::Connection& conn, const SubscriptionSpec& spec,
                                    Deadline deadline);
Status enable_subscription(pg::Connection& conn, const std::string& name, Deadline deadline);
Status disable_subscription(pg::Connection& conn, const std::string& name, Deadline deadline);
//! REFRESH PUBLICATION (copy_data = false), then waits until every table is ready.
Status refresh_subscription(pg::Connection& conn, const std::string& name, Clock& clock,
                            Deadline deadline);
//! Drops a subscription with its remote slot; when the publisher cannot be reached, detaches
//! the slot first (the caller then drops the slot on the publisher). No-op when absent.
Status drop_subscription(pg::Connection& conn, const std::string& name, Deadline deadline);
//! Drops a subscription whose slot is gone or never existed: detaches the slot, then drops.
Status drop_subscription_without_slot(pg::Connection& conn, const std::string& name,
                                      Deadline deadline);
//! Drops a slot, ending the walsender that holds it first. No-op when absent.
Status drop_slot(pg::Connection& conn, const std::string& name, Clock& clock, Deadline deadline);
//! Waits until no walsender holds the slot (a disabled subscription's worker takes a moment).
Status wait_slot_inactive(pg::Connection& conn, const std::string& name, Clock& clock,
                          Deadline deadline);

//! Qualified names of the tables a publication publishes / a subscription knows.
Result<std::vector<std::string>> publication_tables(pg::Connection& conn,
                                                    const std::string& publication,
                                                    Deadline deadline);
Result<std::vector<std::string>> subscription_tables(pg::Connection& conn,
                                                     const std::string& subscription,
                                                     Deadline deadline);

//! Every slot on a server with the WAL it retains.
struct SlotRetention {
    std::string name, type, database;
    bool active = false;
    long long retained_bytes = 0;
};
Result<std::vector<SlotRetention>> list_slots(pg::Connection& conn, Deadline deadline);

}  // namespace pgflip::cutover
