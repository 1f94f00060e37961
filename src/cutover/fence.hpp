// The fence: on the side the application leaves, every application role starts its sessions
// read-only (ALTER ROLE ... IN DATABASE ... SET default_transaction_read_only = on) and every
// remaining session of those roles is ended, so no write can land there behind the sentinel.
// Unfencing restores each role's own earlier setting.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "cutover/clock.hpp"
#include "cutover/flip_state.hpp"
#include "pg/connection.hpp"

namespace pgflip::cutover {

//! config.app_roles, or (when empty) every login role that is neither superuser nor
//! replication role nor the role pgflip connects as. Roles that do not exist are refused.
Result<std::vector<std::string>> resolve_app_roles(pg::Connection& conn,
                                                   const config::Config& config, Deadline deadline);

//! Each role's own default_transaction_read_only in this database (what unfencing restores).
Result<RoleSettings> read_role_settings(pg::Connection& conn, const std::vector<std::string>& roles,
                                        Deadline deadline);

//! The fence statements for one round trip (committed before the sessions are ended).
[[nodiscard]] std::string fence_sql(const pg::Connection& conn, const std::string& database,
                                    const std::vector<std::string>& roles);
//! Statements restoring every role's original setting.
[[nodiscard]] std::string unfence_sql(const pg::Connection& conn, const std::string& database,
                                      const RoleSettings& originals);

//! Fences and ends the sessions of `roles`, waiting until they are gone. Returns how many
//! sessions were ended.
Result<int> fence(pg::Connection& conn, const std::string& database,
                  const std::vector<std::string>& roles, Clock& clock, Deadline deadline);
//! Restores the originals (no sessions are touched).
Status unfence(pg::Connection& conn, const std::string& database, const RoleSettings& originals,
               Deadline deadline);

//! The role names of a fence record.
[[nodiscard]] std::vector<std::string> role_names(const RoleSettings& settings);

}  // namespace pgflip::cutover
