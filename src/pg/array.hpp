// PostgreSQL's text form of a one-dimensional array, for binding lists as $n::type[] parameters.
#pragma once

#include <string>
#include <vector>

namespace pgflip::pg {

//! An array literal with every element double-quoted: {"a","b \"c\""}. Quoting each element keeps
//! commas, braces, spaces and the word NULL as data.
[[nodiscard]] std::string array_literal(const std::vector<std::string>& items);

}  // namespace pgflip::pg
