// The preflight rules, one per file in this folder; registry() lists them in report order.
// Rules only read: catalog queries, SHOW commands on pooler admin consoles, files' metadata.
#pragma once

#include <vector>

#include "check/check.hpp"

namespace pgflip::check::rules {

// Servers and replication.
Rule wal_level();
Rule replication_capacity();
Rule replication_role();
Rule replication_conninfo();
Rule pg_dump();
// What logical replication does not carry.
Rule replica_identity();
Rule extensions();
Rule large_objects();
Rule unlogged_tables();
Rule materialized_views();
Rule sequences();
Rule generated_columns();
Rule partitioned_tables();
Rule roles();
Rule ddl();
// Results that could differ on green.
Rule settings();
Rule collation();
// The flip.
Rule long_transactions();
Rule direct_clients();
Rule pooler_mode();
Rule pooler_switch();
Rule pooler_target();
Rule pooler_login_retry();
Rule pooler_query_wait();
Rule slot_retention();

//! Every rule, in report order.
[[nodiscard]] std::vector<Rule> registry();

}  // namespace pgflip::check::rules
