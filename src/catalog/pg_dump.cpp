#include "catalog/pg_dump.hpp"

namespace pgflip::catalog {

std::vector<PgDump> find_pg_dumps(const std::string& configured) {
    return find_pg_tools("pg_dump", configured);
}

std::optional<PgDump> choose_pg_dump(const std::vector<PgDump>& found, int blue_major,
                                     int green_major) {
    std::optional<PgDump> best;
    auto rank = [&](const PgDump& d) {
        if (d.major == green_major) return 0;
        return d.major < green_major ? 1 : 2;
    };
    for (const auto& d : found) {
        if (d.major < blue_major) continue;
        if (!best || rank(d) < rank(*best)) {
            best = d;
            continue;
        }
        if (rank(d) != rank(*best)) continue;
        bool better = rank(d) == 1 ? d.major > best->major : d.major < best->major;
        if (better) best = d;
    }
    return best;
}

}  // namespace pgflip::catalog
