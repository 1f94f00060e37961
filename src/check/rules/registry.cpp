#include "check/rules/rules.hpp"

namespace pgflip::check::rules {

std::vector<Rule> registry() {
    return {
        wal_level(),
    };
}

}  // namespace pgflip::check::rules
