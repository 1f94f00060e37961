// DDL cannot take parameters, so the few statements that carry names are .sql templates with
// {placeholders}; every value put in is quoted by libpq first (quote_ident / quote_literal).
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "pg/connection.hpp"
#include "pg/sql_template.hpp"

namespace pgflip::cutover {

using pg::render;  // {key} placeholders, values already quoted (pg/sql_template.hpp)

//! A text[] literal of `items`, quoted for SQL: '{"a","b"}'.
[[nodiscard]] std::string text_array_literal(const pg::Connection& conn,
                                             const std::vector<std::string>& items);

//! Runs one rendered template (simple protocol) within the deadline.
Status exec_template(pg::Connection& conn, std::string_view tmpl,
                     const std::map<std::string, std::string>& values, pg::Deadline deadline);

}  // namespace pgflip::cutover
