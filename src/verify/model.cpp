#include "verify/model.hpp"

#include <algorithm>

#include "pg/connection.hpp"

namespace pgflip::verify {

std::vector<const Column*> Table::key() const {
    std::vector<const Column*> key;
    for (const Column& c : columns) {
        if (c.key_position > 0) key.push_back(&c);
    }
    std::sort(key.begin(), key.end(),
              [](const Column* a, const Column* b) { return a->key_position < b->key_position; });
    return key;
}

const Column* Table::column(const std::string& column_name) const {
    for (const Column& c : columns) {
        if (c.name == column_name) return &c;
    }
    return nullptr;
}

std::string table_id(const std::string& schema, const std::string& name) {
    return schema + '\x1f' + name;
}

namespace {

Column column_from_row(const pg::Rows& rows, int r) {
    auto get = [&](const char* name) { return rows.str(r, rows.column(name)); };
    Column c;
    c.name = get("column_name");
    c.quoted = get("quoted");
    c.type_sql = get("type_sql");
    c.base_schema = get("base_schema");
    c.base_type = get("base_type");
    c.base_type_sql = get("base_type_sql");
    c.base_typtype = get("base_typtype");
    c.is_domain = rows.boolean(r, rows.column("is_domain"));
    c.elem_schema = get("elem_schema");
    c.elem_type = get("elem_type");
    c.elem_typtype = get("elem_typtype");
    c.collatable = rows.boolean(r, rows.column("collatable"));
    c.key_position = static_cast<int>(rows.num(r, rows.column("key_position")));
    return c;
}

}  // namespace

std::map<std::string, Table> tables_from_rows(const pg::Rows& rows) {
    std::map<std::string, Table> tables;
    for (int r = 0; r < rows.size(); ++r) {
        std::string schema = rows.str(r, rows.column("schema_name"));
        std::string name = rows.str(r, rows.column("table_name"));
        Table& t = tables[table_id(schema, name)];
        if (t.qualified.empty()) {
            t.schema = schema;
            t.name = name;
            t.qualified = rows.str(r, rows.column("qualified"));
            t.bytes = rows.num(r, rows.column("bytes"));
            t.reltuples = rows.num(r, rows.column("reltuples"));
        }
        t.columns.push_back(column_from_row(rows, r));
    }
    return tables;
}

TablePair pair_tables(const Table& blue, const Table& green) {
    TablePair pair{blue, green, {}, {}};
    pair.blue.columns.clear();
    pair.green.columns.clear();
    bool key_complete = true;
    for (const Column& b : blue.columns) {
        const Column* g = green.column(b.name);
        if (g == nullptr) {
            pair.only_blue.push_back(b.name);
            key_complete = key_complete && b.key_position == 0;
            continue;
        }
        pair.blue.columns.push_back(b);
        pair.green.columns.push_back(*g);
        pair.green.columns.back().key_position = b.key_position;
    }
    for (const Column& g : green.columns) {
        if (blue.column(g.name) == nullptr) pair.only_green.push_back(g.name);
    }
    if (!key_complete) {
        for (Column& c : pair.blue.columns) c.key_position = 0;
        for (Column& c : pair.green.columns) c.key_position = 0;
    }
    return pair;
}

}  // namespace pgflip::verify
