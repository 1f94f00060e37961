// Settings that change query results (DateStyle, TimeZone, search_path, ...) must give the
// application the same values on green as on blue: for the migrated database (server
// configuration, overridden by ALTER DATABASE ... SET) and for every role with its own values
// (ALTER ROLE ... [IN DATABASE ...] SET), compared as the application's sessions will see them.
#include <cctype>
#include <map>
#include <optional>
#include <set>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

const std::vector<std::string> kSettings = {"datestyle",
                                            "timezone",
                                            "intervalstyle",
                                            "extra_float_digits",
                                            "lc_monetary",
                                            "lc_numeric",
                                            "lc_time",
                                            "search_path",
                                            "default_text_search_config",
                                            "bytea_output",
                                            "xmlbinary",
                                            "xmloption",
                                            "array_nulls",
                                            "standard_conforming_strings",
                                            "transform_null_equals",
                                            "default_transaction_isolation"};

//! A value and where it comes from, for the explanation.
struct Value {
    std::string text;
    std::string from;
};

//! One server's settings: as pgflip's session sees them, and the per-database/role entries.
struct Settings {
    std::string database;                     //!< quoted
    std::map<std::string, std::string> name;  //!< key -> canonical name ("TimeZone")
    std::map<std::string, Value> base;        //!< key -> value for the database, before roles
    std::map<std::pair<std::string, std::string>, std::string> role_in_db;  //!< (role, key)
    std::map<std::pair<std::string, std::string>, std::string> role_all;    //!< (role, key)
};

std::string names_param() {
    std::string out = "{";
    for (const auto& n : kSettings) out += (out.size() > 1 ? "," : "") + n;
    return out + "}";
}

//! Lower case and no blanks outside double quotes: 'ISO, MDY' equals 'iso,mdy'.
std::string normalized(const std::string& value) {
    std::string out;
    bool quoted = false;
    for (char c : value) {
        if (c == '"') quoted = !quoted;
        if (!quoted && (c == ' ' || c == '\t')) continue;
        out += quoted ? c : static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

//! Sources that hide the database-level value from pgflip's session (its own role's settings).
bool masked(const std::string& source) {
    return source == "user" || source == "database user" || source == "client" ||
           source == "session";
}

Status read_entries(Context& ctx, const Server& s, Settings& out,
                    std::map<std::string, std::string>& database_level) {
    auto rows = query(ctx, s, sql::check_db_role_settings, {names_param()});
    if (!rows.ok()) return rows.take_error();
    for (const Row& r : rows_of(*rows)) {
        auto key = std::make_pair(r.str("role"), r.str("key"));
        if (r.str("role").empty()) {
            database_level[r.str("key")] = r.str("value");
        } else {
            (r.flag("in_database") ? out.role_in_db : out.role_all)[key] = r.str("value");
        }
    }
    return {};
}

Result<Settings> read_settings(Context& ctx, const Server& s) {
    Settings out;
    std::map<std::string, std::string> database_level;
    PGFLIP_TRY(read_entries(ctx, s, out, database_level));
    auto rows = query(ctx, s, sql::check_settings, {names_param()});
    if (!rows.ok()) return rows.take_error();
    for (const Row& r : rows_of(*rows)) {
        const std::string key = r.str("key");
        out.database = r.str("database");
        out.name[key] = r.str("name");
        const std::string source = r.str("source");
        auto db = database_level.find(key);
        if (!masked(source)) {
            out.base[key] = {r.str("setting"),
                             source == "database" ? "database setting" : "server setting"};
        } else if (db != database_level.end()) {
            out.base[key] = {db->second, "database setting"};
        } else {
            out.base[key] = {r.str("setting"), "server setting"};
        }
    }
    return out;
}

std::optional<Value> role_value(const Settings& s, const std::string& role,
                                const std::string& key) {
    auto k = std::make_pair(role, key);
    if (auto it = s.role_in_db.find(k); it != s.role_in_db.end()) {
        return Value{it->second, "role setting in this database"};
    }
    if (auto it = s.role_all.find(k); it != s.role_all.end()) {
        return Value{it->second, "role setting"};
    }
    return std::nullopt;
}

//! The value as SET syntax: search_path is a list of identifiers, everything else a literal.
std::string sql_value(const Server& green_server, const std::string& key,
                      const std::string& value) {
    if (key == "search_path" && !value.empty()) return value;
    return green_server.conn.quote_literal(value);
}

std::string differ(const std::string& name, const Value& b, const Value& g) {
    return "Blue gives " + name + " = '" + b.text + "' (" + b.from + "), green gives '" + g.text +
           "' (" + g.from +
           "): the same query can return different results (dates, numbers, text, name "
           "resolution) once the application runs on green.";
}

Finding base_difference(const Server& gs, const Settings& blue_s, const Settings& green_s,
                        const std::string& key) {
    const std::string& name = green_s.name.at(key);
    const Value& b = blue_s.base.at(key);
    return finding(Severity::warning, Side::green,
                   "setting " + name + " in database " + green_s.database,
                   differ(name, b, green_s.base.at(key)),
                   "ALTER DATABASE " + green_s.database + " SET " + name + " = " +
                       sql_value(gs, key, b.text) + ";  -- on green; new sessions get it");
}

std::string role_fix(const Server& gs, const Settings& blue_s, const Settings& green_s,
                     const std::string& role, const std::string& key) {
    const std::string& name = green_s.name.at(key);
    const std::string in_db = " IN DATABASE " + green_s.database;
    auto k = std::make_pair(role, key);
    if (auto it = blue_s.role_in_db.find(k); it != blue_s.role_in_db.end()) {
        return "ALTER ROLE " + role + in_db + " SET " + name + " = " +
               sql_value(gs, key, it->second) + ";";
    }
    if (auto it = blue_s.role_all.find(k); it != blue_s.role_all.end()) {
        return "ALTER ROLE " + role + " SET " + name + " = " + sql_value(gs, key, it->second) + ";";
    }
    std::string fix;
    if (green_s.role_in_db.count(k) != 0)
        fix += "ALTER ROLE " + role + in_db + " RESET " + name + ";";
    if (green_s.role_all.count(k) != 0) {
        fix +=
            (fix.empty() ? "" : "\n") + std::string("ALTER ROLE ") + role + " RESET " + name + ";";
    }
    return fix;
}

std::optional<Finding> role_difference(const Server& gs, const Settings& blue_s,
                                       const Settings& green_s, const std::string& role,
                                       const std::string& key) {
    Value b = role_value(blue_s, role, key).value_or(blue_s.base.at(key));
    Value g = role_value(green_s, role, key).value_or(green_s.base.at(key));
    if (normalized(b.text) == normalized(g.text)) return std::nullopt;
    const std::string& name = green_s.name.at(key);
    return finding(
        Severity::warning, Side::green, "setting " + name + " for role " + role, differ(name, b, g),
        role_fix(gs, blue_s, green_s, role, key) + "  -- on green, once the role exists there");
}

//! Roles with their own value for `key` on either side.
std::set<std::string> roles_with(const Settings& a, const Settings& b, const std::string& key) {
    std::set<std::string> out;
    for (const Settings* s : {&a, &b}) {
        for (const auto* m : {&s->role_in_db, &s->role_all}) {
            for (const auto& [k, v] : *m) {
                if (k.second == key) out.insert(k.first);
            }
        }
    }
    return out;
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto blue_s = read_settings(ctx, blue(ctx));
    if (!blue_s.ok()) return blue_s.take_error();
    auto green_s = read_settings(ctx, green(ctx));
    if (!green_s.ok()) return green_s.take_error();
    Server gs = green(ctx);
    std::vector<Finding> out;
    for (const auto& [key, g] : green_s->base) {
        auto b = blue_s->base.find(key);
        if (b == blue_s->base.end()) continue;  // unknown to blue's version
        if (normalized(b->second.text) != normalized(g.text)) {
            out.push_back(base_difference(gs, *blue_s, *green_s, key));
        }
        for (const auto& role : roles_with(*blue_s, *green_s, key)) {
            if (auto f = role_difference(gs, *blue_s, *green_s, role, key)) {
                out.push_back(std::move(*f));
            }
        }
    }
    return out;
}

}  // namespace

Rule settings() {
    return {"settings", "result-affecting settings match for the database and its roles", run};
}

}  // namespace pgflip::check::rules
