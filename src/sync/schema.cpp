#include "sync/schema.hpp"

#include <fstream>
#include <sstream>

#include "sql/queries.hpp"
#include "sync/process.hpp"
#include "sync/session.hpp"

namespace pgflip::sync {

namespace {

// session_replication_role: as in every setup session on green (sql/session_green.sql).
constexpr const char* kRestoreOptions =
    "-c maintenance_work_mem=512MB -c synchronous_commit=off -c session_replication_role=replica";

Status run_checked(const Program& program, Side side, const std::string& what,
                   pg::Deadline deadline, std::string* out = nullptr) {
    auto result = run_program(program, side, deadline);
    if (!result) return result.take_error();
    if (result->exit_code != 0) {
        return make_error(side,
                          what + " failed (exit " + std::to_string(result->exit_code) +
                              "): " + stderr_tail(result->err),
                          "fix the cause above and run pgflip setup again: it resumes");
    }
    if (out != nullptr) *out = std::move(result->out);
    return {};
}

Program program_for(const std::string& path, const ChildConnection& conn,
                    std::vector<std::string> args) {
    Program p;
    p.path = path;
    p.args = std::move(args);
    p.env = conn.env;
    return p;
}

}  // namespace

bool TocEntry::is_foreign_key() const {
    return description.rfind("FK CONSTRAINT ", 0) == 0;
}

bool TocEntry::is_pgflip_event_trigger() const {
    return description.rfind("EVENT TRIGGER - pgflip_ddl_", 0) == 0;
}

bool TocEntry::is_table_index() const {
    if (description.rfind("CONSTRAINT ", 0) == 0) return true;
    return description.rfind("INDEX ", 0) == 0 && description.rfind("INDEX ATTACH ", 0) != 0;
}

std::vector<TocEntry> parse_toc(std::string_view list) {
    std::vector<TocEntry> out;
    std::istringstream in{std::string(list)};
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == ';') continue;
        TocEntry e;
        std::istringstream fields(line);
        char semicolon = 0;
        if (!(fields >> e.dump_id >> semicolon >> e.catalog_oid >> e.object_oid) ||
            semicolon != ';') {
            continue;
        }
        std::getline(fields >> std::ws, e.description);
        e.line = line;
        out.push_back(std::move(e));
    }
    return out;
}

Status dump_schema(const Tools& tools, const pg::Conninfo& blue, const std::string& snapshot,
                   const fs::path& file, pg::Deadline deadline) {
    auto conn = child_connection(blue, session_name(blue, "dump"));
    Program p =
        program_for(tools.pg_dump, conn,
                    // UTF8: the pre-data script goes through pgflip's own session,
                    // which speaks UTF8 (pg::Connection::connect).
                    {"--schema-only", "--format=custom", "--encoding=UTF8",
                     "--snapshot=" + snapshot, "--no-publications", "--no-subscriptions",
                     "--exclude-schema=pgflip", "--file=" + file.string(), "--dbname=" + conn.dsn});
    return run_checked(p, Side::blue, "pg_dump of blue's schema", deadline);
}

Result<std::string> pre_data_script(const Tools& tools, const fs::path& file,
                                    pg::Deadline deadline) {
    Program p;
    p.path = tools.pg_restore;
    p.args = {"--section=pre-data", "--file=-", file.string()};
    p.capture_stdout = true;
    std::string out;
    PGFLIP_TRY(run_checked(p, Side::local, "pg_restore of the pre-data section", deadline, &out));
    std::string script;
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
        // psql meta-commands newer pg_dump versions emit around the script; not SQL.
        if (line.rfind("\\restrict ", 0) == 0 || line.rfind("\\unrestrict ", 0) == 0) continue;
        script += line;
        script += '\n';
    }
    return script;
}

Result<std::vector<TocEntry>> post_data_entries(const Tools& tools, const fs::path& file,
                                                pg::Deadline deadline) {
    Program p;
    p.path = tools.pg_restore;
    p.args = {"--list", "--section=post-data", file.string()};
    p.capture_stdout = true;
    std::string out;
    PGFLIP_TRY(run_checked(p, Side::local, "pg_restore --list", deadline, &out));
    std::vector<TocEntry> kept;
    for (auto& e : parse_toc(out)) {
        if (!e.is_foreign_key() && !e.is_pgflip_event_trigger()) kept.push_back(std::move(e));
    }
    return kept;
}

Result<std::vector<TocEntry>> missing_on_green(std::vector<TocEntry> entries, pg::Connection& blue,
                                               pg::Connection& green, pg::Deadline deadline) {
    std::vector<TocEntry> missing;
    for (auto& e : entries) {
        if (e.catalog_oid == 0 || e.object_oid == 0) {
            missing.push_back(std::move(e));  // ATTACH, COMMENT, ACL: harmless to repeat
            continue;
        }
        auto address =
            blue.query(sql::sync_object_address,
                       {std::to_string(e.catalog_oid), std::to_string(e.object_oid)}, deadline);
        if (!address) return address.take_error();
        if (address->empty() || address->is_null(0, 0)) {
            missing.push_back(std::move(e));
            continue;
        }
        auto present =
            green.query(sql::sync_object_exists,
                        {address->str(0, 0), address->str(0, 1), address->str(0, 2)}, deadline);
        if (!present.ok()) missing.push_back(std::move(e));  // the lookup fails when absent
    }
    return missing;
}

Status restore_entries(const Tools& tools, const pg::Conninfo& green, const fs::path& file,
                       const std::vector<TocEntry>& entries, const fs::path& list_file, int jobs,
                       pg::Deadline deadline) {
    if (entries.empty()) return {};
    {
        std::ofstream list(list_file, std::ios::trunc);
        for (const auto& e : entries) list << e.line << "\n";
        if (!list) return make_error(Side::local, "cannot write " + list_file.string());
    }
    auto conn = child_connection(green, session_name(green, "restore"));
    Program p = program_for(tools.pg_restore, conn,
                            {"--section=post-data", "--jobs=" + std::to_string(jobs),
                             "--use-list=" + list_file.string(), "--exit-on-error",
                             "--dbname=" + conn.dsn, file.string()});
    p.env["PGOPTIONS"] = kRestoreOptions;
    return run_checked(p, Side::green, "pg_restore of indexes and constraints into green",
                       deadline);
}

}  // namespace pgflip::sync
