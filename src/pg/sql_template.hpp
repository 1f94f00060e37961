// SQL templates for the statements that cannot take parameters (DDL such as CREATE PUBLICATION,
// CREATE SUBSCRIPTION, ALTER ROLE): {name} placeholders replaced by values the caller already
// quoted with libpq (quote_ident / quote_literal). One left-to-right pass: text a value brings
// in (an identifier may hold braces) is never read as a placeholder.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pgflip::pg {

//! Replaces every {key} of `text` with its value; unknown placeholders are left as they are.
[[nodiscard]] std::string render(std::string_view text,
                                 const std::map<std::string, std::string>& quoted_values);

}  // namespace pgflip::pg
