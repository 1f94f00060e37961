// To flip a PgBouncer pgflip rewrites one [databases] entry of its ini atomically (a temporary
// file renamed over it) and RELOADs: the [[pooler]] must name the ini and the entry, the ini
// must be the file PgBouncer reads, here on this host, and writable along with its directory.
// A pooler pgflip cannot drive that way is configured as kind = "command" instead.
#include <unistd.h>

#include <filesystem>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

namespace fs = std::filesystem;

Finding problem(const PoolerHandle& p, const std::string& what, const std::string& why,
                const std::string& fix) {
    return finding(Severity::blocker, Side::pooler, pooler_label(p) + ": " + what,
                   why +
                       " pgflip switches a PgBouncer by rewriting its ini (temporary file + "
                       "rename) and RELOADing it.",
                   fix);
}

std::optional<Finding> check_ini(const PoolerHandle& p, const std::string& conffile) {
    const std::string& ini = p.config->ini;
    std::string or_command =
        "\n# or drive it with kind = \"command\" and a switch_command in pgflip.toml";
    if (ini.empty()) {
        return problem(p, "no ini configured", "pgflip does not know which file to rewrite.",
                       "ini = \"" + (conffile.empty() ? "/etc/pgbouncer/pgbouncer.ini" : conffile) +
                           "\"   # in this [[pooler]] of pgflip.toml" + or_command);
    }
    std::error_code ec;
    if (!fs::is_regular_file(ini, ec)) {
        return problem(p, "ini " + ini + " not found",
                       "The file is not on this host (pgflip must run on the pooler's host to "
                       "rewrite it).",
                       "fix ini = in pgflip.toml, or run pgflip on the pooler's host" + or_command);
    }
    if (!conffile.empty() && fs::weakly_canonical(ini, ec) != fs::weakly_canonical(conffile, ec)) {
        return problem(p, "ini " + ini + " is not the file it reads",
                       "PgBouncer reads " + conffile +
                           " (SHOW CONFIG conffile), so RELOAD "
                           "would ignore what pgflip writes.",
                       "ini = \"" + conffile + "\"   # in this [[pooler]] of pgflip.toml");
    }
    std::string dir = fs::path(ini).parent_path().string();
    if (dir.empty()) dir.assign(1, '.');  // not = ".": g++ 12 warns (-Wrestrict, a false positive)
    if (::access(ini.c_str(), W_OK) != 0 || ::access(dir.c_str(), W_OK) != 0) {
        return problem(p, "ini " + ini + " not writable",
                       "pgflip cannot write the file or create a file beside it in " + dir + ".",
                       "run pgflip as the ini's owner, or grant it write access to " + ini +
                           " and " + dir + or_command);
    }
    return std::nullopt;
}

Finding no_database(const PoolerHandle& p) {
    return problem(p, "no database configured",
                   "pgflip does not know which [databases] entry the application uses.",
                   "database = \"<the [databases] entry the application uses>\"   # in this "
                   "[[pooler]] of pgflip.toml");
}

Result<std::vector<Finding>> run(Context& ctx) {
    std::vector<Finding> out;
    for (PoolerHandle* p : bouncers(ctx)) {
        if (p->config->database.empty()) out.push_back(no_database(*p));
        auto conffile = pooler_setting(ctx, *p, "conffile");
        if (!conffile.ok()) return conffile.take_error();
        if (auto f = check_ini(*p, *conffile)) out.push_back(std::move(*f));
    }
    return out;
}

}  // namespace

Rule pooler_switch() {
    return {"pooler-switch", "pgflip can switch every pooler (ini or switch command)", run};
}

}  // namespace pgflip::check::rules
