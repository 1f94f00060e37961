// setup copies the schema with pg_dump: one that can read blue (its major >= blue's) must exist
// here, ideally of green's major, whose output green is sure to accept.
#include "catalog/pg_dump.hpp"
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

std::string describe(const std::vector<catalog::PgDump>& found) {
    std::vector<std::string> items;
    for (const auto& d : found) items.push_back(d.path + " (" + d.version + ")");
    return items.empty() ? "none" : join(items, ", ");
}

Finding missing(const Context& ctx, int blue_major, int green_major,
                const std::vector<catalog::PgDump>& found) {
    const std::string& configured = ctx.config.pg_dump;
    std::string looked = configured.empty()
                             ? "looked in /usr/lib/postgresql/*/bin and PATH, found: "
                             : "pg_dump = \"" + configured + "\" in the configuration gives: ";
    return finding(Severity::blocker, Side::local,
                   "pg_dump for PostgreSQL " + std::to_string(blue_major),
                   "setup dumps blue's schema with pg_dump, which refuses servers newer than "
                   "itself: it needs pg_dump " +
                       std::to_string(blue_major) + " or newer (" + std::to_string(green_major) +
                       " is best); " + looked + describe(found) + ".",
                   "apt-get install postgresql-client-" + std::to_string(green_major) +
                       "  # from apt.postgresql.org\n# or point pgflip at one: pg_dump = "
                       "\"/usr/lib/postgresql/" +
                       std::to_string(green_major) + "/bin/pg_dump\" in pgflip.toml");
}

Finding chosen(const catalog::PgDump& d, int green_major) {
    std::string note =
        d.major == green_major ? "it matches green's major version."
        : d.major < green_major
            ? "it is older than green (" + std::to_string(green_major) +
                  "); its output restores into newer servers, but PostgreSQL recommends "
                  "green's own pg_dump."
            : "it is newer than green (" + std::to_string(green_major) +
                  "); its output may use syntax green does not know.";
    return finding(Severity::info, Side::local, "pg_dump " + d.version + " (" + d.path + ")",
                   "setup will dump blue's schema with this pg_dump; " + note);
}

Result<std::vector<Finding>> run(Context& ctx) {
    int blue_major = ctx.servers.blue_info.major();
    int green_major = ctx.servers.green_info.major();
    auto found = catalog::find_pg_dumps(ctx.config.pg_dump);
    auto best = catalog::choose_pg_dump(found, blue_major, green_major);
    if (!best) return std::vector<Finding>{missing(ctx, blue_major, green_major, found)};
    return std::vector<Finding>{chosen(*best, green_major)};
}

}  // namespace

Rule pg_dump() {
    return {"pg-dump", "a pg_dump that can dump blue", run};
}

}  // namespace pgflip::check::rules
