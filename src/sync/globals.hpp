// Roles from blue to green: pg_dumpall --roles-only, applied in one transaction (every statement
// it emits is transactional), statement by statement. Roles that green already has are left as
// they are; memberships are granted. Statements are never printed
// or logged: ALTER ROLE ... PASSWORD carries a password hash.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pg/connection.hpp"
#include "sync/tools.hpp"

namespace pgflip::sync {

//! Splits a SQL script into statements at semicolons outside quotes and comments.
[[nodiscard]] std::vector<std::string> split_statements(std::string_view script);

//! The role a CREATE ROLE, ALTER ROLE, COMMENT ON ROLE or SECURITY LABEL ... ON ROLE
//! statement is about (unquoted); nullopt for any other statement.
[[nodiscard]] std::optional<std::string> statement_role(std::string_view statement);

struct GlobalsResult {
    int roles_created = 0;
    int roles_kept = 0;                 //!< already on green, left alone
    std::vector<std::string> warnings;  //!< statements that failed (without their text)
};

//! Copies blue's roles to green.
Result<GlobalsResult> copy_roles(const Tools& tools, const pg::Conninfo& blue,
                                 pg::Connection& green, pg::Deadline deadline);

}  // namespace pgflip::sync
