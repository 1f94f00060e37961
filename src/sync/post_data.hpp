// After the rows: foreign keys without a long validation lock (added NOT VALID, then VALIDATE
// CONSTRAINT, in parallel), materialized views refreshed, and ANALYZE of every table in parallel.
// Indexes and other constraints come from pg_restore -j (schema.hpp).
#pragma once

#include <cstdint>
#include <set>

#include <vector>

#include "pg/connection.hpp"
#include "sync/state.hpp"

namespace pgflip::sync {

//! The statements that add one foreign key on green: ADD ... NOT VALID, then VALIDATE (a
//! partitioned table cannot take NOT VALID before PG 18: one ADD there; a key not valid on
//! blue stays not valid). `validate_only`: the key is there, not yet validated.
[[nodiscard]] std::vector<std::string> foreign_key_statements(const pg::Connection& green,
                                                              const ForeignKey& fk,
                                                              bool validate_only);

//! Adds (or finishes) every foreign key green does not have yet, `jobs` at a time.
Status add_foreign_keys(const pg::Conninfo& green, const std::vector<ForeignKey>& keys, int jobs);
//! REFRESH MATERIALIZED VIEW for each one populated on blue.
Status refresh_matviews(pg::Connection& green, const std::vector<QualifiedName>& views);
//! ANALYZE of each of `tables`, `jobs` at a time.
Status analyze_each(const pg::Conninfo& green, const std::vector<QualifiedName>& tables, int jobs);
//! How many tables setup has switched autovacuum off on (0 when there is no list).
Result<int> autovacuum_paused_tables(pg::Connection& green, pg::Deadline deadline);
//! Switches autovacuum back on for the tables the schema restore switched it off on
//! (autovacuum_pause.sql) and drops the list; returns how many.
Result<int> resume_autovacuum(pg::Connection& green);
//! ANALYZE of the copied tables (but those in `skip`, analyzed already) and of green's
//! partitioned tables, `jobs` at a time.
Status analyze_tables(const pg::Conninfo& green, const Plan& plan,
                      const std::set<std::uint32_t>& skip, int jobs);

}  // namespace pgflip::sync
