#include "cutover/sql_template.hpp"

#include "pg/array.hpp"

namespace pgflip::cutover {

std::string text_array_literal(const pg::Connection& conn, const std::vector<std::string>& items) {
    return conn.quote_literal(pg::array_literal(items));
}

Status exec_template(pg::Connection& conn, std::string_view tmpl,
                     const std::map<std::string, std::string>& values, pg::Deadline deadline) {
    auto rows = conn.query(render(tmpl, values), deadline);
    if (!rows.ok()) return rows.take_error();
    return {};
}

}  // namespace pgflip::cutover
