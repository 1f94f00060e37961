#include "config/config.hpp"

#include <toml++/toml.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace pgflip::config {

namespace {

Error config_error(const std::string& source, std::string message, std::string fix = {}) {
    return make_error(Side::local, source + ": " + message, std::move(fix));
}

//! Refuses keys pgflip does not know, so a typo never silently keeps a default.
Status only_known(const toml::table& table, const std::set<std::string>& known,
                  const std::string& where, const std::string& source) {
    for (const auto& [key, value] : table) {
        if (known.count(std::string(key.str())) == 0) {
            return config_error(source, "unknown key '" + std::string(key.str()) + "' in " + where,
                                "remove it or check the spelling (see docs/CONFIG.md)");
        }
    }
    return {};
}

template <class T>
Status read(const toml::table& table, const char* key, T& out, const std::string& where,
            const std::string& source) {
    const toml::node* node = table.get(key);
    if (node == nullptr) return {};
    if constexpr (std::is_same_v<T, std::string>) {
        if (auto v = node->value<std::string>()) {
            out = *v;
            return {};
        }
        return config_error(source, where + "." + key + " must be a string");
    } else {
        if (auto v = node->value<long long>()) {
            out = static_cast<T>(*v);
            return {};
        }
        return config_error(source, where + "." + key + " must be an integer");
    }
}

Status read_server(const toml::table& root, const char* name, std::string& conninfo,
                   std::string& from_other, const std::string& source) {
    const toml::table* t = root[name].as_table();
    if (t == nullptr) {
        if (root.contains(name))
            return config_error(source, std::string(name) + " must be a table");
        return {};
    }
    PGFLIP_TRY(only_known(*t, {"conninfo", "replication_conninfo"}, name, source));
    PGFLIP_TRY(read(*t, "conninfo", conninfo, name, source));
    return read(*t, "replication_conninfo", from_other, name, source);
}

Status read_pause_scope(const toml::table& t, PauseScope& scope, const std::string& where,
                        const std::string& source) {
    std::string text = "auto";
    PGFLIP_TRY(read(t, "pause_scope", text, where, source));
    if (text == "auto") {
        scope = PauseScope::automatic;
    } else if (text == "global") {
        scope = PauseScope::global;
    } else if (text == "database") {
        scope = PauseScope::database;
    } else {
        return config_error(source,
                            where + ".pause_scope must be \"auto\", \"global\" or \"database\"");
    }
    return {};
}

Result<Pooler> read_pooler(const toml::table& t, size_t index, const std::string& source) {
    std::string where = "pooler[" + std::to_string(index) + "]";
    PGFLIP_TRY(only_known(t,
                          {"name", "kind", "admin", "ini", "database", "switch_command", "client",
                           "pause_scope", "pause_command", "resume_command"},
                          where, source));
    Pooler p;
    p.name = "pooler" + std::to_string(index + 1);
    std::string kind = "pgbouncer";
    PGFLIP_TRY(read(t, "name", p.name, where, source));
    PGFLIP_TRY(read(t, "kind", kind, where, source));
    PGFLIP_TRY(read(t, "admin", p.admin, where, source));
    PGFLIP_TRY(read(t, "ini", p.ini, where, source));
    PGFLIP_TRY(read(t, "database", p.database, where, source));
    PGFLIP_TRY(read(t, "switch_command", p.switch_command, where, source));
    PGFLIP_TRY(read(t, "client", p.client, where, source));
    PGFLIP_TRY(read(t, "pause_command", p.pause_command, where, source));
    PGFLIP_TRY(read(t, "resume_command", p.resume_command, where, source));
    PGFLIP_TRY(read_pause_scope(t, p.pause_scope, where, source));
    if (kind == "pgbouncer") {
        p.kind = PoolerKind::pgbouncer;
        if (p.admin.empty()) {
            return config_error(source, where + " (pgbouncer) needs 'admin'",
                                "admin = \"host=... port=6432 dbname=pgbouncer user=...\"");
        }
    } else if (kind == "command") {
        p.kind = PoolerKind::command;
        if (p.switch_command.empty()) {
            return config_error(source, where + " (command) needs 'switch_command'");
        }
    } else {
        return config_error(source, where + ".kind must be \"pgbouncer\" or \"command\"");
    }
    return p;
}

Status read_cutover(const toml::table& root, Cutover& c, const std::string& source) {
    const toml::table* t = root["cutover"].as_table();
    if (t == nullptr) return {};
    PGFLIP_TRY(only_known(
        *t, {"budget_ms", "drain_timeout_ms", "drain_policy", "max_lag_bytes", "max_xact_age_ms"},
        "cutover", source));
    PGFLIP_TRY(read(*t, "budget_ms", c.budget_ms, "cutover", source));
    PGFLIP_TRY(read(*t, "drain_timeout_ms", c.drain_timeout_ms, "cutover", source));
    PGFLIP_TRY(read(*t, "max_lag_bytes", c.max_lag_bytes, "cutover", source));
    PGFLIP_TRY(read(*t, "max_xact_age_ms", c.max_xact_age_ms, "cutover", source));
    std::string policy = "abort";
    PGFLIP_TRY(read(*t, "drain_policy", policy, "cutover", source));
    if (policy == "abort") {
        c.drain_policy = DrainPolicy::abort;
    } else if (policy == "cancel") {
        c.drain_policy = DrainPolicy::cancel;
    } else {
        return config_error(source, "cutover.drain_policy must be \"abort\" or \"cancel\"");
    }
    if (c.budget_ms <= 0 || c.drain_timeout_ms <= 0) {
        return config_error(source, "cutover budgets must be positive milliseconds");
    }
    return {};
}

//! The name prefixes slots and publications: replication slot names allow only [a-z0-9_].
Status valid_name(const std::string& name, const std::string& source) {
    bool ok = !name.empty() && name.size() <= 40;
    for (char ch : name) {
        if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_')) ok = false;
    }
    if (ok) return {};
    return config_error(source, "name \"" + name + "\" is not usable for replication slots",
                        "use 1 to 40 lower-case letters, digits or underscores");
}

Status read_top(const toml::table& root, Config& c, const std::string& source) {
    PGFLIP_TRY(only_known(
        root,
        {"blue", "green", "pooler", "cutover", "name", "state_dir", "pg_dump", "jobs", "app_roles"},
        "the top level", source));
    PGFLIP_TRY(read(root, "name", c.name, "top", source));
    PGFLIP_TRY(read(root, "state_dir", c.state_dir, "top", source));
    PGFLIP_TRY(read(root, "pg_dump", c.pg_dump, "top", source));
    PGFLIP_TRY(read(root, "jobs", c.jobs, "top", source));
    if (const toml::array* roles = root["app_roles"].as_array()) {
        for (const auto& r : *roles) {
            auto v = r.value<std::string>();
            if (!v) return config_error(source, "app_roles must be a list of strings");
            c.app_roles.push_back(*v);
        }
    }
    if (c.jobs < 1 || c.jobs > 64) return config_error(source, "jobs must be between 1 and 64");
    return valid_name(c.name, source);
}

}  // namespace

Getenv process_env() {
    return [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
    };
}

Result<Config> parse(std::string_view toml_text, const std::string& source) {
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& err) {
        const auto& where = err.source().begin;
        return config_error(source,
                            "malformed TOML at line " + std::to_string(where.line) + ", column " +
                                std::to_string(where.column) + ": " +
                                std::string(err.description()),
                            "fix the syntax there (https://toml.io)");
    }
    Config c;
    c.source = source;
    PGFLIP_TRY(read_top(root, c, source));
    PGFLIP_TRY(read_server(root, "blue", c.blue, c.blue_from_green, source));
    PGFLIP_TRY(read_server(root, "green", c.green, c.green_from_blue, source));
    PGFLIP_TRY(read_cutover(root, c.cutover, source));
    if (const toml::node* pn = root.get("pooler")) {
        const toml::array* arr = pn->as_array();
        if (arr == nullptr) return config_error(source, "pooler must be an array: [[pooler]]");
        for (size_t i = 0; i < arr->size(); ++i) {
            const toml::table* t = (*arr)[i].as_table();
            if (t == nullptr) return config_error(source, "each [[pooler]] must be a table");
            auto p = read_pooler(*t, i, source);
            if (!p.ok()) return p.take_error();
            c.poolers.push_back(std::move(p).value());
        }
    }
    return c;
}

Result<Config> load(const Overrides& overrides, const Getenv& env) {
    std::optional<std::string> path = overrides.config_path;
    if (!path) path = env("PGFLIP_CONFIG");
    bool explicit_path = path.has_value();
    if (!path && std::filesystem::exists("pgflip.toml")) path = "pgflip.toml";

    Config c;
    if (path) {
        std::ifstream in(*path);
        if (!in) {
            return make_error(Side::local, "cannot read configuration file " + *path,
                              explicit_path ? "check the path given to --config / PGFLIP_CONFIG"
                                            : "check the file's permissions");
        }
        std::stringstream text;
        text << in.rdbuf();
        auto parsed = parse(text.str(), *path);
        if (!parsed.ok()) return parsed.take_error();
        c = std::move(parsed).value();
    }
    auto apply = [&](std::string& field, const char* var, const std::optional<std::string>& flag) {
        if (auto v = env(var)) field = *v;
        if (flag) field = *flag;
    };
    apply(c.blue, "PGFLIP_BLUE", overrides.blue);
    apply(c.green, "PGFLIP_GREEN", overrides.green);
    apply(c.state_dir, "PGFLIP_STATE_DIR", overrides.state_dir);
    if (auto v = env("PGFLIP_NAME")) c.name = *v;
    if (c.blue_from_green.empty()) c.blue_from_green = c.blue;
    if (c.green_from_blue.empty()) c.green_from_blue = c.green;
    return c;
}

Status require_servers(const Config& config) {
    if (config.blue.empty()) {
        return make_error(Side::blue, "no connection string for blue",
                          "set [blue] conninfo in pgflip.toml, PGFLIP_BLUE or --blue");
    }
    if (config.green.empty()) {
        return make_error(Side::green, "no connection string for green",
                          "set [green] conninfo in pgflip.toml, PGFLIP_GREEN or --green");
    }
    return {};
}

}  // namespace pgflip::config
