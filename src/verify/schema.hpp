// Schema comparison: both catalogs described the same normalized way (verify/sql/
// schema_objects.sql: tables, columns, types, defaults, constraints, indexes, sequences,
// functions, triggers, views, extensions), then compared object by object.
#pragma once

#include <map>
#include <string>

#include "verify/report.hpp"
#include "verify/session.hpp"

namespace pgflip::verify {

//! kind + '\x1f' + name -> definition.
using SchemaObjects = std::map<std::string, std::string>;

//! The differences between two descriptions. View definitions are compared only when both
//! servers run the same major version (PostgreSQL 16 deparses views differently).
[[nodiscard]] SchemaResult diff_schema(const SchemaObjects& blue, const SchemaObjects& green,
                                       bool same_major);

//! Reads both descriptions (in parallel) and compares them.
Result<SchemaResult> compare_schema(SessionPair& pair, pg::Deadline deadline);

}  // namespace pgflip::verify
