// What shadow needs to know about one SQL statement before and after running it: whether it may
// run at all (only reads: SELECT, WITH, VALUES, TABLE, SHOW without anything that writes, locks
// or signals), its fingerprint (literals and parameters as ?, whitespace and case normalized),
// and whether it orders its rows completely at the top level (ORDER BY outside any parentheses).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgflip::shadow {

//! The pre-filter's verdict. Every statement shadow runs is also wrapped in BEGIN READ ONLY ...
//! ROLLBACK on both sides; this filter keeps out what READ ONLY does not stop.
struct Admission {
    bool read_only = false;
    std::string reason;  //!< why not, e.g. "INSERT writes", "pg_terminate_backend() has effects"
};

[[nodiscard]] Admission admit(std::string_view sql);

//! The statement with literals and parameters replaced by ?, lists of them folded, comments
//! dropped, unquoted words lower-cased and whitespace collapsed: one text per query shape.
[[nodiscard]] std::string fingerprint(std::string_view sql);

//! True when the statement ends in an ORDER BY at the top level: its row order is meaningful.
[[nodiscard]] bool orders_rows(std::string_view sql);

//! A statement of a queries file with the comments that followed it (before the next one).
struct SplitStatement {
    std::string sql;  //!< trimmed, without the ;
    std::vector<std::string> trailing_comments;
    int line = 0;  //!< 1-based line of its first token
};

//! Splits text at top-level semicolons (not inside strings, identifiers, comments, $$ bodies).
[[nodiscard]] std::vector<SplitStatement> split_statements(std::string_view text);

}  // namespace pgflip::shadow
