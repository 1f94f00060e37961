// Every extension installed on blue must be installable on green (setup restores the schema
// with CREATE EXTENSION): missing is a blocker; a different version is worth knowing, because
// the extension's functions and types may behave differently.
#include <map>
#include <optional>

#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

struct Available {
    std::string default_version;
    std::string installed_version;
};

Result<std::map<std::string, Available>> available_on_green(Context& ctx) {
    auto rows = query(ctx, green(ctx), sql::check_extensions_available);
    if (!rows.ok()) return rows.take_error();
    std::map<std::string, Available> out;
    for (const Row& r : rows_of(*rows)) {
        out[r.str("name")] = {r.str("default_version"), r.str("installed_version")};
    }
    return out;
}

Finding missing(const Context& ctx, const Row& ext) {
    std::string major = std::to_string(ctx.servers.green_info.major());
    return finding(
        Severity::blocker, Side::green, "extension " + ext.str("ident") + " " + ext.str("version"),
        "Installed on blue, but green (PostgreSQL " + major +
            ") has no package providing it: restoring the schema on green fails at CREATE "
            "EXTENSION, and objects that depend on it cannot be created.",
        "-- either install it on green's host (the package for PostgreSQL " + major +
            ", e.g. from apt.postgresql.org),\n-- or, when blue does not use it, on blue:\n"
            "DROP EXTENSION " +
            ext.str("ident") + ";");
}

std::optional<Finding> version_drift(const Row& ext, const Available& a) {
    const std::string blue_version = ext.str("version");
    bool installed = !a.installed_version.empty();
    std::string green_version = installed ? a.installed_version : a.default_version;
    if (green_version == blue_version) return std::nullopt;
    std::string ident = ext.str("ident");
    return finding(
        Severity::info, Side::green,
        "extension " + ident + " " + blue_version + " on blue, " + green_version + " on green",
        "Green " +
            std::string(installed ? "has"
                                  : "will create (CREATE EXTENSION takes the "
                                    "default)") +
            " version " + green_version + ", blue has " + blue_version +
            ". Its functions, operators and types may behave differently: read the "
            "extension's release notes and compare results with pgflip shadow.");
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto installed = query(ctx, blue(ctx), sql::check_extensions_installed);
    if (!installed.ok()) return installed.take_error();
    auto available = available_on_green(ctx);
    if (!available.ok()) return available.take_error();
    std::vector<Finding> out;
    for (const Row& ext : rows_of(*installed)) {
        auto it = available->find(ext.str("name"));
        if (it == available->end()) {
            out.push_back(missing(ctx, ext));
        } else if (auto drift = version_drift(ext, it->second)) {
            out.push_back(std::move(*drift));
        }
    }
    return out;
}

}  // namespace

Rule extensions() {
    return {"extensions", "blue's extensions are available on green", run};
}

}  // namespace pgflip::check::rules
