#include "sync/globals.hpp"

#include <cctype>
#include <set>
#include <sstream>

#include "sql/queries.hpp"
#include "sync/process.hpp"
#include "sync/session.hpp"

namespace pgflip::sync {

namespace {

bool starts_with_ci(std::string_view text, std::string_view prefix) {
    if (text.size() < prefix.size()) return false;
    for (size_t i = 0; i < prefix.size(); ++i) {
        if (std::toupper(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
    }
    return true;
}

//! Reads one identifier (quoted or bare) at the start of `text`.
std::optional<std::string> leading_identifier(std::string_view text) {
    if (text.empty()) return std::nullopt;
    if (text[0] != '"') {
        size_t end = 0;
        while (end < text.size() &&
               (std::isalnum(static_cast<unsigned char>(text[end])) != 0 || text[end] == '_' ||
                text[end] == '$' || static_cast<unsigned char>(text[end]) >= 0x80)) {
            ++end;
        }
        if (end == 0) return std::nullopt;
        std::string out(text.substr(0, end));
        for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        return out;
    }
    std::string out;
    for (size_t i = 1; i < text.size(); ++i) {
        if (text[i] != '"') {
            out += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
            out += '"';
            ++i;
        } else {
            return out;
        }
    }
    return std::nullopt;
}

//! Skips a comment or quoted section starting at `i`; returns the index after it.
size_t skip_quoted(std::string_view s, size_t i) {
    if (s.compare(i, 2, "--") == 0) {
        size_t nl = s.find('\n', i);
        return nl == std::string_view::npos ? s.size() : nl + 1;
    }
    char quote = s[i];
    for (size_t j = i + 1; j < s.size(); ++j) {
        if (s[j] != quote) continue;
        if (j + 1 < s.size() && s[j + 1] == quote) {
            ++j;
            continue;
        }
        return j + 1;
    }
    return s.size();
}

std::string trimmed(std::string_view s) {
    size_t b = 0;
    while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b])) != 0) ++b;
    size_t e = s.size();
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])) != 0) --e;
    return std::string(s.substr(b, e - b));
}

//! Drops leading "--" comment lines, which pg_dumpall puts before statements.
std::string without_leading_comments(std::string_view s) {
    std::string t = trimmed(s);
    while (t.rfind("--", 0) == 0) {
        size_t nl = t.find('\n');
        t = nl == std::string::npos ? "" : trimmed(std::string_view(t).substr(nl + 1));
    }
    return t;
}

Result<std::set<std::string>> green_roles(pg::Connection& green, pg::Deadline deadline) {
    auto rows = green.query(sql::sync_roles, deadline);
    if (!rows) return rows.take_error();
    std::set<std::string> out;
    for (int r = 0; r < rows->size(); ++r) out.insert(rows->str(r, 0));
    return out;
}

Result<std::string> dump_roles(const Tools& tools, const pg::Conninfo& blue,
                               pg::Deadline deadline) {
    auto conn = child_connection(blue, session_name(blue, "roles"));
    Program p;
    p.path = tools.pg_dumpall;
    // UTF8, as pgflip's own sessions that apply the statements (their SETs are left out).
    p.args = {"--roles-only", "--encoding=UTF8", "--dbname=" + conn.dsn};
    p.env = conn.env;
    p.capture_stdout = true;
    auto result = run_program(p, Side::blue, deadline);
    if (!result) return result.take_error();
    if (result->exit_code != 0) {
        return make_error(Side::blue, "pg_dumpall --roles-only failed: " + stderr_tail(result->err),
                          "pgflip needs a superuser on blue to read roles and their passwords");
    }
    // psql meta-commands (\restrict ... \unrestrict) that newer pg_dumpall versions emit.
    std::string script;
    std::istringstream in(result->out);
    for (std::string line; std::getline(in, line);) {
        if (!line.empty() && line[0] == '\\') continue;
        script += line + "\n";
    }
    return script;
}

}  // namespace

std::vector<std::string> split_statements(std::string_view script) {
    std::vector<std::string> out;
    size_t start = 0;
    for (size_t i = 0; i < script.size();) {
        char c = script[i];
        if (c == '\'' || c == '"' || script.compare(i, 2, "--") == 0) {
            i = skip_quoted(script, i);
            continue;
        }
        if (c == ';') {
            std::string stmt = without_leading_comments(script.substr(start, i - start));
            if (!stmt.empty()) out.push_back(stmt);
            start = i + 1;
        }
        ++i;
    }
    std::string rest = without_leading_comments(script.substr(start));
    if (!rest.empty()) out.push_back(rest);
    return out;
}

std::optional<std::string> statement_role(std::string_view statement) {
    static constexpr std::string_view kPrefixes[] = {"CREATE ROLE ", "ALTER ROLE ",
                                                     "COMMENT ON ROLE "};
    for (auto prefix : kPrefixes) {
        if (starts_with_ci(statement, prefix)) {
            return leading_identifier(statement.substr(prefix.size()));
        }
    }
    if (starts_with_ci(statement, "SECURITY LABEL ")) {
        auto on = statement.find(" ON ROLE ");
        if (on != std::string_view::npos) return leading_identifier(statement.substr(on + 9));
    }
    return std::nullopt;
}

namespace {

//! Runs one statement inside the open transaction, undoing only it when it fails. The outer
//! Result fails when the transaction itself is broken; the inner error is the statement's.
Result<std::optional<Error>> apply_one(pg::Connection& green, const std::string& stmt,
                                       pg::Deadline deadline) {
    PGFLIP_TRY(exec(green, "SAVEPOINT pgflip_role", deadline));
    auto applied = green.query(stmt, deadline);
    if (applied.ok()) {
        PGFLIP_TRY(exec(green, "RELEASE SAVEPOINT pgflip_role", deadline));
        return std::optional<Error>();
    }
    PGFLIP_TRY(exec(green, "ROLLBACK TO SAVEPOINT pgflip_role", deadline));
    return std::optional<Error>(applied.take_error());
}

//! Applies the script's statements for roles green does not have, inside the open transaction.
Result<GlobalsResult> apply_roles(pg::Connection& green, const std::string& script,
                                  const std::set<std::string>& existing, pg::Deadline deadline) {
    GlobalsResult result;
    std::set<std::string> kept;
    for (const auto& stmt : split_statements(script)) {
        if (starts_with_ci(stmt, "SET ")) continue;  // pg_dumpall's session settings
        auto role = statement_role(stmt);
        if (role && existing.count(*role) > 0) {
            kept.insert(*role);
            continue;
        }
        const bool creates = role && starts_with_ci(stmt, "CREATE ROLE ");
        if (creates) ++result.roles_created;
        auto failed = apply_one(green, stmt, deadline);
        if (!failed) return failed.take_error();
        if (!*failed) continue;
        Error e = std::move(**failed);
        if (creates) {
            e.message = "could not create role \"" + *role + "\" on green: " + e.message;
            return e;
        }
        // Never the statement itself: it may carry a password hash.
        result.warnings.push_back(
            (role ? "role \"" + *role + "\": " : std::string("role membership or setting: ")) +
            e.message);
    }
    result.roles_kept = static_cast<int>(kept.size());
    return result;
}

}  // namespace

Result<GlobalsResult> copy_roles(const Tools& tools, const pg::Conninfo& blue,
                                 pg::Connection& green, pg::Deadline deadline) {
    auto existing = green_roles(green, deadline);
    if (!existing) return existing.take_error();
    auto script = dump_roles(tools, blue, deadline);
    if (!script) return script.take_error();
    // One transaction: a run that dies between CREATE ROLE and the ALTER ROLE giving it LOGIN,
    // its password or its settings leaves no half-made role that the next run would keep.
    PGFLIP_TRY(exec(green, "BEGIN", deadline));
    auto result = apply_roles(green, *script, *existing, deadline);
    if (!result) {
        ignore_failure(green.query("ROLLBACK", pg::after(pg::milliseconds(60000))));
        return result.take_error();
    }
    PGFLIP_TRY(exec(green, "COMMIT", deadline));
    return result;
}

}  // namespace pgflip::sync
