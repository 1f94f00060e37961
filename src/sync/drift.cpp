#include "sync/drift.hpp"

#include <nlohmann/json.hpp>

#include "sql/queries.hpp"

namespace pgflip::sync {

namespace {

//! Runs fingerprint.sql: definitions print names relative to search_path, so it is pinned,
//! then given back.
Result<pg::Rows> fingerprint_rows(pg::Connection& conn, pg::Deadline deadline) {
    auto before = conn.query("SELECT current_setting('search_path')", deadline);
    if (!before) return before.take_error();
    auto pinned = conn.query("SELECT set_config('search_path', 'pg_catalog', false)", deadline);
    if (!pinned) return pinned.take_error();
    auto rows = conn.query(sql::sync_fingerprint, deadline);
    auto restored =
        conn.query("SELECT set_config('search_path', $1, false)", {before->str(0, 0)}, deadline);
    if (!rows) return rows.take_error();
    if (!restored) return restored.take_error();
    return rows;
}

}  // namespace

std::string joined(const std::vector<std::string>& names, size_t max) {
    std::string out;
    for (size_t i = 0; i < names.size() && i < max; ++i) out += (i ? ", " : "") + names[i];
    if (names.size() > max) out += ", ...";
    return out;
}

Result<Fingerprint> read_fingerprint(pg::Connection& blue, pg::Deadline deadline) {
    auto rows = fingerprint_rows(blue, deadline);
    if (!rows) return rows.take_error();
    Fingerprint out;
    for (int r = 0; r < rows->size(); ++r) out[rows->str(r, 0)] = rows->str(r, 1);
    return out;
}

Result<Definitions> read_definitions(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = fingerprint_rows(conn, deadline);
    if (!rows) return rows.take_error();
    Definitions out;
    for (int r = 0; r < rows->size(); ++r) {
        out[rows->str(r, 0)] = {static_cast<std::uint32_t>(rows->num(r, 3)), rows->str(r, 2)};
    }
    return out;
}

std::string definition_of(const Definitions& definitions, const std::string& table) {
    auto it = definitions.find(table);
    return it == definitions.end() ? std::string() : it->second.md5;
}

Drift compare_fingerprints(const Fingerprint& before, const Fingerprint& now) {
    Drift d;
    for (const auto& [table, print] : now) {
        auto it = before.find(table);
        if (it == before.end()) {
            d.added.push_back(table);
        } else if (it->second != print) {
            d.changed.push_back(table);
        }
    }
    for (const auto& [table, print] : before) {
        if (now.count(table) == 0) d.dropped.push_back(table);
    }
    return d;
}

Result<Drift> detect_drift(pg::Connection& blue, const Fingerprint& at_setup,
                           pg::Deadline deadline) {
    auto now = read_fingerprint(blue, deadline);
    if (!now) return now.take_error();
    Drift d = compare_fingerprints(at_setup, *now);
    auto rows = blue.query(sql::sync_ddl_log_read, deadline);
    if (!rows) return d;  // no ddl_log (setup did not get that far): the fingerprint still counts
    for (int r = 0; r < rows->size(); ++r) {
        d.logged.push_back({rows->str(r, 0), rows->str(r, 1), rows->str(r, 2), rows->str(r, 3)});
    }
    return d;
}

nlohmann::json to_json(const Drift& d) {
    nlohmann::json logged = nlohmann::json::array();
    for (const auto& e : d.logged) {
        logged.push_back({{"logged_at", e.logged_at},
                          {"command_tag", e.command_tag},
                          {"object_type", e.object_type},
                          {"object_identity", e.object_identity}});
    }
    return {{"detected", d.any()},
            {"tables_added", d.added},
            {"tables_dropped", d.dropped},
            {"tables_changed", d.changed},
            {"ddl_logged", logged}};
}

std::string describe(const Drift& d) {
    if (!d.any()) return "no DDL on blue since setup";
    std::vector<std::string> parts;
    if (!d.changed.empty()) parts.push_back("changed: " + joined(d.changed));
    if (!d.added.empty()) parts.push_back("added: " + joined(d.added));
    if (!d.dropped.empty()) parts.push_back("dropped: " + joined(d.dropped));
    if (!d.logged.empty()) {
        parts.push_back(std::to_string(d.logged.size()) + " DDL command(s) logged, last " +
                        d.logged.back().command_tag + " " + d.logged.back().object_identity);
    }
    std::string out = "DDL on blue since setup (not replicated; apply it on green too): ";
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return out;
}

}  // namespace pgflip::sync
