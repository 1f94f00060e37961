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

void add_flip_options(CLI::App& cmd, FlipOptions& o) {
    cmd.add_flag("--dry-run", o.dry_run, "walk every step without changing anything; time it");
    cmd.add_option_function<int>(
           "--budget-ms", [&o](int v) { o.budget_ms = v; },
           "the whole flip, PAUSE to RESUME (cutover.budget_ms)")
        ->check(CLI::PositiveNumber);
    cmd.add_option_function<int>(
           "--drain-timeout-ms", [&o](int v) { o.drain_timeout_ms = v; },
           "how long PAUSE may wait for transactions (cutover.drain_timeout_ms)")
        ->check(CLI::PositiveNumber);
    cmd.add_option("--drain-policy", o.drain_policy,
                   "when PAUSE does not drain in time: abort, or cancel the blockers")
        ->check(CLI::IsMember({"abort", "cancel"}));
}

void add_verify_options(CLI::App& cmd, VerifyOptions& o) {
    cmd.add_flag("--schema", o.schema, "compare the schemas");
    cmd.add_flag("--sequences", o.sequences, "compare sequence values");
    cmd.add_flag("--data", o.data, "compare the rows of every table");
    cmd.add_option("--tables", o.tables, "only these tables: table or schema.table, * ? allowed")
        ->delimiter(',');
    cmd.add_flag("--show-values", o.show_values, "show the values of differing rows");
    cmd.add_option("-j,--jobs", o.jobs, "tables compared at once (default: jobs in pgflip.toml)")
        ->check(CLI::NonNegativeNumber);
    cmd.add_option("--rounds", o.rounds, "re-checks of rows that differ while green replicates")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_option("--lag-timeout", o.lag_timeout_s, "seconds to wait for green to catch up")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_option("--max-rows", o.max_rows, "differing rows listed per table")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
}

void add_shadow_options(CLI::App& cmd, ShadowOptions& o) {
    auto* queries = cmd.add_option("--queries", o.queries, "file of ;-separated queries");
    auto* log = cmd.add_option("--log", o.log, "PostgreSQL log (stderr or csvlog) to replay");
    queries->excludes(log);
    cmd.add_option("--sample", o.sample, "fraction of the executions replayed (0..1]")
        ->check(CLI::Range(0.0, 1.0))
        ->capture_default_str();
    cmd.add_option("--seed", o.seed, "seed of the sampling")->capture_default_str();
    cmd.add_option("--concurrency", o.concurrency, "queries in flight on each side")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_option("--timeout-ms", o.timeout_ms, "deadline of each query on each side")
        ->check(CLI::PositiveNumber)
        ->capture_default_str();
    cmd.add_option("--examples", o.max_examples, "example parameters kept per query")
        ->check(CLI::NonNegativeNumber)
        ->capture_default_str();
    cmd.add_option("--set", o.settings, "NAME=VALUE the application sets on connect (repeatable)");
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

    SetupOptions setup;
    auto* setup_cmd = app.add_subcommand(
        "setup", "roles, schema, publication, parallel initial copy, indexes, subscription");
    setup_cmd->add_option("-j,--jobs", setup.jobs, "parallel COPY streams (default: jobs)")
        ->check(CLI::Range(1, 64));
    setup_cmd->add_option("--chunk-mb", setup.chunk_mb, "work item size of large tables, MiB")
        ->check(CLI::Range(1, 1 << 20));
    StatusOptions status;
    auto* status_cmd = app.add_subcommand(
        "status", "lag, per-table copy state, slot WAL retained, apply errors, time to caught-up");
    status_cmd->add_flag("-w,--watch", status.watch, "refresh until interrupted");
    status_cmd->add_option("--interval", status.interval_s, "seconds between refreshes")
        ->check(CLI::Range(0.2, 3600.0))
        ->capture_default_str();

    FlipOptions cutover;
    auto* cutover_cmd = app.add_subcommand(
        "cutover", "the flip: pause, fence, catch up, sequences, way back, switch, resume, health");
    add_flip_options(*cutover_cmd, cutover);
    FlipOptions rollback;
    auto* rollback_cmd =
        app.add_subcommand("rollback", "the flip back to blue, through the reverse subscription");
    add_flip_options(*rollback_cmd, rollback);
    auto* finalize_cmd = app.add_subcommand(
        "finalize", "drop subscriptions, publications, slots, fences and pgflip's objects");
    ReportOptions report;
    auto* report_cmd =
        app.add_subcommand("report", "the last cutover or rollback: step timeline and blackout");
    report_cmd->add_option("--format", report.format, "text, json or html")
        ->check(CLI::IsMember({"text", "json", "html"}))
        ->capture_default_str();
    report_cmd->add_option("-o,--output", report.output, "write to this file instead of stdout");
    VerifyOptions verify;
    auto* verify_cmd =
        app.add_subcommand("verify", "compare schema, sequences and data of blue and green");
    add_verify_options(*verify_cmd, verify);
    ShadowOptions shadow;
    auto* shadow_cmd = app.add_subcommand(
        "shadow", "replay read-only queries on blue and green and compare their results");
    add_shadow_options(*shadow_cmd, shadow);
    WatchdogOptions watchdog;
    // Started by cutover and rollback only, hence not listed in --help.
    auto* watchdog_cmd = app.add_subcommand("watchdog", "settles a flip whose pgflip died");
    watchdog_cmd->group("");
    watchdog_cmd->add_option("--ready-fd", watchdog.ready_fd)->required();

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? kOk : kUsage;
    }
    try {
        if (*check_cmd) return run_check(global, check);
        if (*sb) return run_sandbox(global, sandbox);
        if (*setup_cmd) return run_setup(global, setup);
        if (*status_cmd) return run_status(global, status);
        if (*cutover_cmd) return run_cutover(global, cutover);
        if (*rollback_cmd) return run_rollback(global, rollback);
        if (*finalize_cmd) return run_finalize(global);
        if (*report_cmd) return run_report(global, report);
        if (*watchdog_cmd) return run_watchdog(global, watchdog);
        if (*verify_cmd) return run_verify(global, verify);
        if (*shadow_cmd) return run_shadow(global, shadow);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "pgflip: internal error (a bug, please report it): %s\n", e.what());
        return kFailure;
    }
    return kUsage;
}
