#include "verify/schema.hpp"

#include <chrono>

#include "sql/queries.hpp"

namespace pgflip::verify {

namespace {

constexpr char separator = '\x1f';

bool is_view(const std::string& kind) {
    return kind == "view" || kind == "materialized view";
}

Result<SchemaObjects> read_objects(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = conn.query(sql::verify_schema_objects, {}, deadline);
    if (!rows.ok()) return rows.take_error();
    SchemaObjects out;
    for (int r = 0; r < rows->size(); ++r) {
        out[rows->str(r, 0) + separator + rows->str(r, 1)] = rows->str(r, 2);
    }
    return out;
}

SchemaDiff make_diff(const std::string& id, std::string blue, std::string green) {
    const auto sep = id.find(separator);
    return {id.substr(0, sep), id.substr(sep + 1), std::move(blue), std::move(green)};
}

}  // namespace

SchemaResult diff_schema(const SchemaObjects& blue, const SchemaObjects& green, bool same_major) {
    SchemaResult result;
    result.ran = true;
    result.blue_objects = static_cast<int>(blue.size());
    result.green_objects = static_cast<int>(green.size());
    bool views_skipped = false;
    for (const auto& [id, def] : blue) {
        auto it = green.find(id);
        if (it == green.end()) {
            result.diffs.push_back(make_diff(id, def, ""));
        } else if (it->second != def) {
            if (!same_major && is_view(id.substr(0, id.find(separator)))) {
                views_skipped = true;
                continue;
            }
            result.diffs.push_back(make_diff(id, def, it->second));
        }
    }
    for (const auto& [id, def] : green) {
        if (blue.count(id) == 0) result.diffs.push_back(make_diff(id, "", def));
    }
    if (views_skipped) {
        result.notes.push_back(
            "view definitions are deparsed differently by the two major versions: views were "
            "compared by name and columns only");
    }
    return result;
}

Result<SchemaResult> compare_schema(SessionPair& pair, pg::Deadline deadline) {
    const auto start = pg::Clock::now();
    auto objects = on_both(pair, [&](pg::Connection& c) { return read_objects(c, deadline); });
    if (auto e = objects.error()) return *e;
    const bool same_major =
        pair.blue.server_version() / 10000 == pair.green.server_version() / 10000;
    SchemaResult result = diff_schema(*objects.blue, *objects.green, same_major);
    result.seconds = std::chrono::duration<double>(pg::Clock::now() - start).count();
    return result;
}

}  // namespace pgflip::verify
