#include "sync/tools.hpp"

#include <unistd.h>

#include <filesystem>

#include "catalog/pg_dump.hpp"

namespace pgflip::sync {

namespace fs = std::filesystem;

namespace {

Result<std::string> sibling(const std::string& pg_dump, const std::string& name) {
    fs::path path = fs::path(pg_dump).parent_path() / name;
    if (::access(path.c_str(), X_OK) == 0) return path.string();
    return make_error(
        Side::local, name + " not found beside " + pg_dump,
        "install the full client package of that version (e.g. postgresql-client-15)");
}

std::string found_list(const std::vector<catalog::PgDump>& found) {
    std::string out;
    for (const auto& d : found) out += (out.empty() ? "" : ", ") + d.version + " at " + d.path;
    return out.empty() ? "none" : out;
}

}  // namespace

Result<Tools> find_tools(const config::Config& config, int blue_major, int green_major) {
    auto found = catalog::find_pg_dumps(config.pg_dump);
    auto best = catalog::choose_pg_dump(found, blue_major, green_major);
    if (!best) {
        return make_error(Side::local,
                          "no pg_dump can read blue's PostgreSQL " + std::to_string(blue_major) +
                              " (pg_dump reads servers up to its own major version; found: " +
                              found_list(found) + ")",
                          "install postgresql-client-" + std::to_string(green_major) +
                              ", or set pg_dump = \"/path/to/pg_dump\" (version " +
                              std::to_string(blue_major) + " or newer) in pgflip.toml");
    }
    Tools tools;
    tools.pg_dump = best->path;
    tools.major = best->major;
    tools.version = best->version;
    auto restore = sibling(best->path, "pg_restore");
    if (!restore) return restore.take_error();
    auto dumpall = sibling(best->path, "pg_dumpall");
    if (!dumpall) return dumpall.take_error();
    tools.pg_restore = *restore;
    tools.pg_dumpall = *dumpall;
    return tools;
}

}  // namespace pgflip::sync
