// pgflip's entry point: flags are parsed here and nowhere else; each subcommand runs from its
// own cmd_<name>.cpp. Exceptions are bugs and are caught once, here.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <exception>

#include "cli/commands.hpp"

namespace {

using namespace pgflip::cli;

void add_global(CLI::App& app, GlobalOptions& g) {
    auto opt = [&](const char* name, std::optional<std::string>& target, const char* help) {
        app.add_option_function<std::string>(
               name, [&target](const std::string& v) { target = v; }, help)
            ->type_name("TEXT");
    };
    opt("-c,--config", g.overrides.config_path, "pgflip.toml to read (env PGFLIP_CONFIG)");
    opt("--blue", g.overrides.blue, "conninfo of blue, the current primary (env PGFLIP_BLUE)");
    opt("--green", g.overrides.green, "conninfo of green, the new server (env PGFLIP_GREEN)");
    opt("--state-dir", g.overrides.state_dir, "state directory (env PGFLIP_STATE_DIR)");
    app.add_flag("--json", g.json, "machine-readable output on stdout");
    app.add_flag("-v,--verbose", g.verbose, "more log lines on stderr");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"pgflip: blue/green PostgreSQL major-version upgrades with a sub-second flip"};
    app.require_subcommand(1);
    app.fallthrough();  // global flags may follow the subcommand too
    app.set_version_flag("--version", "pgflip 0.1.0");
    GlobalOptions global;
    add_global(app, global);

    CheckOptions check;
    auto* check_cmd = app.add_subcommand("check", "preflight: blockers, warnings and their fixes");
    check_cmd->add_flag("--strict", check.strict, "exit 1 on warnings too");

    SandboxOptions sandbox;
    auto* sb = app.add_subcommand("sandbox", "a local blue + green + PgBouncer to try pgflip on");
    sb->add_option("action", sandbox.action, "up, down or status")
        ->required()
        ->check(CLI::IsMember({"up", "down", "status"}));
    sb->add_option("--dir", sandbox.dir, "where the sandbox lives")->capture_default_str();
    sb->add_option("--blue-version", sandbox.blue_major, "blue's major version")
        ->capture_default_str();
    sb->add_option("--green-version", sandbox.green_major, "green's major version")
        ->capture_default_str();
    sb->add_option("--load", sandbox.load_clients, "clients of a steady write load (0: none)")
        ->capture_default_str();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? kOk : kUsage;
    }
    try {
        if (*check_cmd) return run_check(global, check);
        if (*sb) return run_sandbox(global, sandbox);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pgflip: internal error (a bug, please report it): %s\n", e.what());
        return kFailure;
    }
    return kUsage;
}
