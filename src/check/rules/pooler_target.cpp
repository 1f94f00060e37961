// The [databases] entry pgflip switches must exist and point at blue now: otherwise the flip
// moves traffic that never went to blue, and the application's real path to blue is left
// alone. Host names are compared as written, so blue under another name is reported too.
#include <algorithm>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"

namespace pgflip::check::rules {

namespace {

bool points_at(const pooler::DatabaseEntry& d, const pg::Conninfo& blue_info,
               const std::string& blue_db) {
    return d.host == blue_info.host() && d.port == blue_info.port() && d.database == blue_db;
}

Finding elsewhere(const PoolerHandle& p, const pooler::DatabaseEntry& d, const std::string& blue) {
    return finding(Severity::warning, Side::pooler, pooler_label(p) + " database " + d.name,
                   "This entry points at " + d.host + ":" + d.port + " database " + d.database +
                       ", not at blue (" + blue +
                       "). If that is blue under another name, ignore this; otherwise the flip "
                       "would switch the wrong traffic.",
                   "; in [databases] of the pooler's ini, or fix database = in this [[pooler]] "
                   "of pgflip.toml");
}

Finding missing_entry(const PoolerHandle& p) {
    return finding(Severity::blocker, Side::pooler,
                   pooler_label(p) + " database " + p.config->database,
                   "PgBouncer has no [databases] entry of that name, so pgflip has nothing to "
                   "pause and switch there.",
                   "database = \"<the [databases] entry the application uses>\"   # in this "
                   "[[pooler]] of pgflip.toml, or add the entry to the pooler's ini and RELOAD");
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto blue_info = pg::Conninfo::parse(ctx.config.blue, Side::blue);
    if (!blue_info.ok()) return blue_info.take_error();
    const std::string& blue_db = ctx.servers.blue_info.database;
    std::string shown = blue_info->host() + ":" + blue_info->port() + " database " + blue_db;
    std::vector<Finding> out;
    for (PoolerHandle* p : bouncers(ctx)) {
        if (p->config->database.empty()) continue;  // pooler-switch reports it
        auto entries = pooler_entries(ctx, *p);
        if (!entries.ok()) return entries.take_error();
        auto ours = std::find_if(entries->begin(), entries->end(),
                                 [&](const auto& d) { return d.name == p->config->database; });
        if (ours == entries->end()) {
            out.push_back(missing_entry(*p));
        } else if (!points_at(*ours, *blue_info, blue_db)) {
            out.push_back(elsewhere(*p, *ours, shown));
        }
    }
    return out;
}

}  // namespace

Rule pooler_target() {
    return {"pooler-target", "the switched pooler entries point at blue", run};
}

}  // namespace pgflip::check::rules
