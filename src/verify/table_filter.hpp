// --tables: which tables verify compares. A pattern is `table` (any schema) or `schema.table`;
// either part may use the wildcards * ? [...] and may be double-quoted to keep dots or quotes
// ("My Schema"."a.b", with "" for a quote inside), as in SQL.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace pgflip::verify {

struct TablePattern {
    std::optional<std::string> schema;  //!< absent: any schema
    std::string table;
};

//! Parses one pattern; nullopt for an empty or malformed one (unbalanced quotes).
[[nodiscard]] std::optional<TablePattern> parse_table_pattern(const std::string& text);
//! True when the pattern matches (glob on each part, case-sensitive as identifiers are).
[[nodiscard]] bool matches(const TablePattern& pattern, const std::string& schema,
                           const std::string& table);
//! True when no pattern is given or any matches.
[[nodiscard]] bool selected(const std::vector<TablePattern>& patterns, const std::string& schema,
                            const std::string& table);

}  // namespace pgflip::verify
