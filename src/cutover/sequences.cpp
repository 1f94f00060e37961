#include "cutover/sequences.hpp"

#include <set>

#include "cutover/sql_template.hpp"
#include "pg/array.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

Result<std::vector<SequenceValue>> read_sequences(pg::Connection& conn, Deadline deadline) {
    auto rows = conn.query(sql::cutover_sequences_read, pg::Params{}, deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<SequenceValue> out;
    out.reserve(static_cast<size_t>(rows->size()));
    for (int r = 0; r < rows->size(); ++r) {
        out.push_back({rows->str(r, 0), rows->str(r, 1), rows->num(r, 2), rows->boolean(r, 3)});
    }
    return out;
}

Result<long long> apply_sequences(pg::Connection& conn, const std::vector<SequenceValue>& values,
                                  Deadline deadline) {
    if (values.empty()) return 0LL;
    std::vector<std::string> schemas, names, lasts, called;
    for (const auto& v : values) {
        schemas.push_back(v.schema);
        names.push_back(v.name);
        lasts.push_back(std::to_string(v.last_value));
        called.emplace_back(v.is_called ? "t" : "f");
    }
    auto rows = conn.query(sql::cutover_sequences_apply,
                           {pg::array_literal(schemas), pg::array_literal(names),
                            pg::array_literal(lasts), pg::array_literal(called)},
                           deadline);
    if (!rows.ok()) return rows.take_error();
    return rows->num(0, 0);
}

std::vector<std::string> missing_sequences(const std::vector<SequenceValue>& have,
                                           const std::vector<SequenceValue>& other) {
    std::set<std::pair<std::string, std::string>> there;
    for (const auto& v : other) there.emplace(v.schema, v.name);
    std::vector<std::string> out;
    for (const auto& v : have) {
        if (there.count({v.schema, v.name}) == 0) out.push_back(v.schema + "." + v.name);
    }
    return out;
}

}  // namespace pgflip::cutover
