#include "pg/lsn.hpp"

#include <charconv>
#include <cstdio>

namespace pgflip::pg {

std::optional<Lsn> Lsn::parse(std::string_view text) {
    auto slash = text.find('/');
    if (slash == std::string_view::npos || slash == 0 || slash + 1 >= text.size()) {
        return std::nullopt;
    }
    auto hex = [](std::string_view part) -> std::optional<std::uint32_t> {
        if (part.size() > 8) return std::nullopt;
        std::uint32_t v = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), v, 16);
        if (ec != std::errc() || end != part.data() + part.size()) return std::nullopt;
        return v;
    };
    auto hi = hex(text.substr(0, slash));
    auto lo = hex(text.substr(slash + 1));
    if (!hi || !lo) return std::nullopt;
    return Lsn{(static_cast<std::uint64_t>(*hi) << 32) | *lo};
}

std::string Lsn::str() const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%X/%X", static_cast<unsigned>(value >> 32),
                  static_cast<unsigned>(value & 0xffffffffu));
    return buf;
}

}  // namespace pgflip::pg
