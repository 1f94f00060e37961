// What verify knows about a table on one side: its columns (names quoted by that server, types,
// how each is hashed) and its key. Built from verify/sql/tables.sql; no libpq here.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace pgflip::pg {
class Rows;
}

namespace pgflip::verify {

//! One column of a table as one server describes it.
struct Column {
    std::string name;           //!< as written (for reports)
    std::string quoted;         //!< quote_ident by the server
    std::string type_sql;       //!< format_type: the column's type as SQL
    std::string base_schema;    //!< schema of the base type (after a domain)
    std::string base_type;      //!< typname of the base type
    std::string base_type_sql;  //!< the base type as SQL
    std::string base_typtype;   //!< 'b' base, 'e' enum, 'c' composite, 'r' range, ...
    bool is_domain = false;
    std::string elem_schema;  //!< for arrays: schema of the element type
    std::string elem_type;    //!< for arrays: typname of the element type
    std::string elem_typtype;
    bool collatable = false;
    int key_position = 0;  //!< 1-based position in the table's key; 0 when not in it
};

//! A table as one server describes it.
struct Table {
    std::string schema;
    std::string name;
    std::string qualified;  //!< schema.table, quoted by the server
    long long bytes = 0;
    long long reltuples = -1;  //!< planner estimate; -1 when never analyzed
    std::vector<Column> columns;

    [[nodiscard]] std::string display() const { return qualified; }
    //! The key's columns in key order; empty for a table without a usable key.
    [[nodiscard]] std::vector<const Column*> key() const;
    [[nodiscard]] const Column* column(const std::string& name) const;
};

//! "schema\x1ftable": a map key that no identifier can fake.
[[nodiscard]] std::string table_id(const std::string& schema, const std::string& name);

//! Tables by table_id(), from the rows of verify/sql/tables.sql.
[[nodiscard]] std::map<std::string, Table> tables_from_rows(const pg::Rows& rows);

//! A table present on both sides, restricted to the columns both have (in blue's order).
struct TablePair {
    Table blue;
    Table green;
    std::vector<std::string> only_blue;   //!< columns missing on green (schema reports them)
    std::vector<std::string> only_green;  //!< columns missing on blue
    [[nodiscard]] bool keyed() const { return !blue.key().empty() && !green.key().empty(); }
    [[nodiscard]] const std::string& display() const { return blue.qualified; }
};

//! Pairs tables by schema and name and narrows both sides to their common columns. The key is
//! blue's; green's columns take blue's key positions so that both sides use the same key.
[[nodiscard]] TablePair pair_tables(const Table& blue, const Table& green);

}  // namespace pgflip::verify
