#include "verify/sql_builder.hpp"

#include <set>
#include <stdexcept>

#include "pg/array.hpp"
#include "sql/queries.hpp"

namespace pgflip::verify {

namespace {

//! Built-in types whose extended hash function follows their = operator and is the same on every
//! supported major version. Everything else is hashed through its text.
bool natively_hashed(const std::string& schema, const std::string& type) {
    static const std::set<std::string> types = {
        "bool",   "char",   "name",    "int2",      "int4",        "int8",   "oid",
        "float4", "float8", "numeric", "text",      "varchar",     "bpchar", "bytea",
        "date",   "time",   "timetz",  "timestamp", "timestamptz", "uuid",   "jsonb",
        "inet",   "cidr",   "macaddr", "macaddr8",  "pg_lsn"};
    return schema == "pg_catalog" && types.count(type) > 0;
}

std::string column_ref(const Column& column) {
    return "t." + column.quoted;
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
        if (i > 0) out += separator;
        out += items[i];
    }
    return out;
}

std::string param(int n) {
    return "$" + std::to_string(n);
}

std::string leading_key_type(const Table& table) {
    return table.key().front()->type_sql;
}

std::string key_texts(const Table& table) {
    std::vector<std::string> items;
    int n = 0;
    for (const Column* c : table.key()) {
        items.push_back(column_ref(*c) + "::text AS key" + std::to_string(++n));
    }
    return join(items, ", ");
}

std::string column_texts(const Table& table) {
    std::vector<std::string> items;
    int n = 0;
    for (const Column& c : table.columns) {
        items.push_back(column_ref(c) + "::text AS col" + std::to_string(++n));
    }
    return items.empty() ? "NULL::text AS col0" : join(items, ", ");
}

//! The pieces of a join with unnest($1::text[], $2::text[]) AS k(key1, key2).
std::map<std::string, std::string> key_lookup_values(const Table& table) {
    std::vector<std::string> arrays;
    std::vector<std::string> names;
    std::vector<std::string> conditions;
    int n = 0;
    for (const Column* c : table.key()) {
        ++n;
        std::string name = "key" + std::to_string(n);
        arrays.push_back(param(n) + "::text[]");
        names.push_back(name);
        conditions.push_back(column_ref(*c) + " = k." + name + "::" + c->type_sql);
    }
    return {{"table", table.qualified},
            {"key_texts", key_texts(table)},
            {"key_arrays", join(arrays, ", ")},
            {"key_names", join(names, ", ")},
            {"key_join", join(conditions, " AND ")}};
}

}  // namespace

HashInput hash_input(const Column& column) {
    if (column.base_typtype != "b") return HashInput::text;
    if (natively_hashed(column.base_schema, column.base_type)) return HashInput::native;
    if (!column.elem_type.empty() && column.elem_typtype == "b" &&
        natively_hashed(column.elem_schema, column.elem_type)) {
        return HashInput::native;
    }
    return HashInput::text;
}

std::string column_hash_term(const Column& column) {
    std::string ref = column_ref(column);
    if (hash_input(column) == HashInput::text) return ref + "::text";
    if (column.is_domain) ref = "(" + ref + ")::" + column.base_type_sql;
    if (column.collatable) ref += " COLLATE \"C\"";
    return ref;
}

std::string row_hash_expr(const std::vector<Column>& columns, const std::string& seed) {
    if (columns.empty()) return "0::int8";
    std::vector<std::string> terms;
    terms.reserve(columns.size());
    for (const Column& c : columns) terms.push_back(column_hash_term(c));
    return "hash_record_extended(ROW(" + join(terms, ", ") + "), " + seed + ")";
}

std::string key_hash_expr(const Table& table) {
    std::vector<Column> key;
    for (const Column* c : table.key()) key.push_back(*c);
    return row_hash_expr(key, "0");
}

std::string row_seed_expr(const Table& table) {
    const auto key = table.key();
    if (key.empty()) return "0";
    const Column& k = *key.front();
    const bool integer = k.base_schema == "pg_catalog" &&
                         (k.base_type == "int2" || k.base_type == "int4" || k.base_type == "int8");
    if (key.size() == 1 && integer) return "(" + column_ref(k) + ")::int8";
    return key_hash_expr(table);
}

std::string row_hash_expr(const Table& table) {
    return row_hash_expr(table.columns, row_seed_expr(table));
}

std::string hash_xor_expr(const Table& table) {
    return table.key().empty() ? "bit_xor(" + row_hash_expr(table) + ")" : "0::int8";
}

std::string render(std::string_view tmpl, const std::map<std::string, std::string>& values) {
    std::string out;
    out.reserve(tmpl.size());
    size_t pos = 0;
    while (pos < tmpl.size()) {
        size_t open = tmpl.find("{{", pos);
        size_t close = open == std::string_view::npos ? open : tmpl.find("}}", open);
        if (close == std::string_view::npos) break;
        out.append(tmpl.substr(pos, open - pos));
        auto it = values.find(std::string(tmpl.substr(open + 2, close - open - 2)));
        if (it == values.end()) throw std::logic_error("template value missing");
        out += it->second;
        pos = close + 2;
    }
    out.append(tmpl.substr(pos));
    return out;
}

Condition range_condition(const Table& table, const KeyRange& range, int first_param) {
    const std::string key = column_ref(*table.key().front());
    const std::string type = leading_key_type(table);
    Condition c;
    std::vector<std::string> parts;
    if (range.lower) {
        c.params.push_back(*range.lower);
        parts.push_back(key + " >= " + param(first_param++) + "::" + type);
    }
    if (range.upper) {
        c.params.push_back(*range.upper);
        parts.push_back(key + " < " + param(first_param) + "::" + type);
    }
    c.sql = parts.empty() ? "true" : join(parts, " AND ");
    return c;
}

Condition sub_bucket_condition(const Table& table, Condition base, long long mask,
                               const std::vector<long long>& buckets) {
    const int next = static_cast<int>(base.params.size()) + 1;
    std::vector<std::string> items;
    for (long long b : buckets) items.push_back(std::to_string(b));
    base.sql += " AND (" + key_hash_expr(table) + " & " + param(next) + "::int8) = ANY (" +
                param(next + 1) + "::int8[])";
    base.params.push_back(std::to_string(mask));
    base.params.push_back(pg::array_literal(items));
    return base;
}

std::string table_sums_sql(const Table& table) {
    return render(sql::verify_table_sums, {{"table", table.qualified},
                                           {"row_hash", row_hash_expr(table)},
                                           {"hash_xor", hash_xor_expr(table)}});
}

std::string range_sums_sql(const Table& table) {
    return render(sql::verify_range_sums, {{"table", table.qualified},
                                           {"row_hash", row_hash_expr(table)},
                                           {"hash_xor", hash_xor_expr(table)},
                                           {"key", column_ref(*table.key().front())},
                                           {"key_type", leading_key_type(table)}});
}

std::string hash_sums_sql(const Table& table, bool by_key, const Condition& where) {
    std::string row_hash = row_hash_expr(table);
    return render(sql::verify_hash_sums, {{"table", table.qualified},
                                          {"row_hash", row_hash},
                                          {"bucket_hash", by_key ? key_hash_expr(table) : row_hash},
                                          {"hash_xor", hash_xor_expr(table)},
                                          {"where", where.sql}});
}

std::string sample_bounds_sql(const Table& table) {
    return render(sql::verify_sample_bounds,
                  {{"table", table.qualified}, {"key", column_ref(*table.key().front())}});
}

std::string rows_where_sql(const Table& table, const Condition& where) {
    return render(sql::verify_rows_where, {{"table", table.qualified},
                                           {"key_texts", key_texts(table)},
                                           {"row_hash", row_hash_expr(table)},
                                           {"where", where.sql}});
}

std::string rows_by_key_sql(const Table& table) {
    auto values = key_lookup_values(table);
    values["row_hash"] = row_hash_expr(table);
    return render(sql::verify_rows_by_key, values);
}

std::string values_by_key_sql(const Table& table) {
    auto values = key_lookup_values(table);
    values["column_texts"] = column_texts(table);
    return render(sql::verify_values_by_key, values);
}

std::string keyless_hashes_sql(const Table& table) {
    return render(sql::verify_keyless_hashes,
                  {{"table", table.qualified}, {"row_hash", row_hash_expr(table)}});
}

std::string keyless_values_sql(const Table& table) {
    return render(sql::verify_keyless_values, {{"table", table.qualified},
                                               {"row_hash", row_hash_expr(table)},
                                               {"column_texts", column_texts(table)}});
}

}  // namespace pgflip::verify
