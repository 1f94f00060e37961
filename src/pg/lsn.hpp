// Log sequence numbers: parsed from and printed as PostgreSQL's "X/Y" text, compared as integers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgflip::pg {

//! A WAL position. Comparison is numeric (the write-up's loop compared LSN text for equality).
struct Lsn {
    std::uint64_t value = 0;

    //! Parses "16/B374D848"; nullopt for anything else.
    static std::optional<Lsn> parse(std::string_view text);
    [[nodiscard]] std::string str() const;
    auto operator<=>(const Lsn&) const = default;
};

//! Bytes from `from` to `to`; 0 when `to` is not ahead.
[[nodiscard]] inline std::uint64_t bytes_between(Lsn from, Lsn to) {
    return to.value > from.value ? to.value - from.value : 0;
}

}  // namespace pgflip::pg
