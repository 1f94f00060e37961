// SQL templates for the few utility statements that cannot take parameters (CREATE PUBLICATION,
// CREATE SUBSCRIPTION): {name} placeholders replaced by values the caller already quoted with
// libpq (quote_ident / quote_literal).
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace pgflip::sync {

//! Replaces every {key} of `text` with its value; unknown placeholders are left as they are.
[[nodiscard]] std::string render(std::string_view text,
                                 const std::map<std::string, std::string>& quoted_values);

}  // namespace pgflip::sync
