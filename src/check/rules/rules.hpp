// The preflight rules, one per file in this folder; registry() lists them in report order.
#pragma once

#include <vector>

#include "check/check.hpp"

namespace pgflip::check::rules {

Rule wal_level();

//! Every rule, in report order.
[[nodiscard]] std::vector<Rule> registry();

}  // namespace pgflip::check::rules
