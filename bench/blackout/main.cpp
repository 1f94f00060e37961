// bench/blackout: the write blackout of pgflip's cutover and rollback against the write-up's
// runbook, under pgbench TPC-B through PgBouncer, PG 14 -> PG 16 on loopback (DESIGN.md §6).
// Flags are parsed here; exceptions are bugs and are caught once, here.
#include <fmt/format.h>
#include <sys/stat.h>
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <nlohmann/json.hpp>

#include "common/pg_tools.hpp"
#include "phases.hpp"
#include "report.hpp"

namespace {

using namespace pgflip;
using namespace pgflip::bench;

constexpr int pgbench_major = 15;  // the Debian client tools (LAB.md)

//! What both halves measured; `pgflip` is empty when pgflip cannot flip yet (`why_not`).
struct Measured {
    PhaseResult runbook;
    std::optional<PhaseResult> pgflip;
    std::string why_not;
};

struct Cli {
    BenchOptions bench;
    StageOptions stage;
    bool keep = false;
    std::string json_out;
};

void add_options(CLI::App& app, Cli& cli) {
    auto& b = cli.bench;
    app.add_option("--pgflip", b.pgflip, "the pgflip binary to measure")->required();
    app.add_option("--runbook", b.runbook_script, "the write-up's runbook (runbook.sh)")
        ->required();
    app.add_option("--dir", b.dir, "work directory (default: a new one under /tmp)");
    app.add_option("--flips", b.flips, "pgflip flips, cutover and rollback alternating")
        ->capture_default_str();
    app.add_option("--runbook-flips", b.runbook_flips, "runbook flips, direction alternating")
        ->capture_default_str();
    app.add_option("--clients", b.clients, "pgbench clients")->capture_default_str();
    app.add_option("--threads", b.threads, "pgbench threads")->capture_default_str();
    app.add_option("--rate", b.rate, "pgbench -R for the whole load (0: unthrottled)")
        ->capture_default_str();
    app.add_option("--scale", cli.stage.scale, "pgbench scale factor")->capture_default_str();
    app.add_option("--period", b.period_s, "seconds from one pgflip flip to the next")
        ->capture_default_str();
    app.add_option("--lsn-budget", b.lsn_budget_s, "seconds the runbook's LSN loop may take")
        ->capture_default_str();
    app.add_option("--blue-version", cli.stage.blue_major, "blue's major version")
        ->capture_default_str();
    app.add_option("--green-version", cli.stage.green_major, "green's major version")
        ->capture_default_str();
    app.add_flag("--keep", cli.keep, "keep the work directory (always kept on failure)");
    app.add_option("--json-out", cli.json_out, "also write the results as JSON here");
}

Result<fs::path> make_work_dir(const fs::path& wanted) {
    if (!wanted.empty()) {
        std::error_code ec;
        fs::create_directories(wanted, ec);
        if (ec) return make_error(Side::local, "cannot create " + wanted.string());
        return fs::absolute(wanted);
    }
    std::string templ = "/tmp/pgflip-blackout-XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
        return make_error(Side::local, "cannot create a directory under /tmp");
    }
    ::chmod(templ.c_str(), 0755);  // the servers run as another user and live below it
    return fs::path(templ);
}

Status write_json(const std::string& path, const Measured& m, const Cli& cli, bool met) {
    if (path.empty()) return {};
    nlohmann::json doc = {{"blue_major", cli.stage.blue_major},
                          {"green_major", cli.stage.green_major},
                          {"scale", cli.stage.scale},
                          {"clients", cli.bench.clients},
                          {"rate", cli.bench.rate},
                          {"targets_met", met},
                          {"runbook", to_json(m.runbook)}};
    doc["pgflip"] = m.pgflip ? to_json(*m.pgflip) : nlohmann::json(nullptr);
    return write_text(path, doc.dump(2) + "\n");
}

void say(const std::string& line) {
    std::fputs((line + "\n").c_str(), stdout);
    std::fflush(stdout);
}

int fail(const Error& error, const fs::path& dir) {
    std::fprintf(stderr, "bench/blackout: %s\n(logs kept in %s)\n", error.str().c_str(),
                 dir.c_str());
    return 1;
}

//! Both halves on one stage; the servers stop when this returns.
Result<Measured> measure(const Cli& cli) {
    auto stage = Stage::start(cli.stage);
    if (!stage) return stage.take_error();
    for (const char* db : {"runbook", "blackout"}) PGFLIP_TRY(stage->create_database(db));
    say(fmt::format("runbook: {} flips", cli.bench.runbook_flips));
    auto runbook = run_runbook_phase(*stage, cli.bench);
    if (!runbook) return runbook.take_error();
    Measured measured{std::move(*runbook), std::nullopt, {}};
    if (!pgflip_can_flip(cli.bench.pgflip, cli.bench.dir)) {
        measured.why_not = "`" + cli.bench.pgflip.string() + " cutover --help` does not work yet";
        return measured;
    }
    say(fmt::format("pgflip: {} flips", cli.bench.flips));
    auto pgflip = run_pgflip_phase(*stage, cli.bench);
    if (!pgflip) return pgflip.take_error();
    measured.pgflip = std::move(*pgflip);
    return measured;
}

int run(Cli& cli) {
    auto dir = make_work_dir(cli.bench.dir);
    if (!dir) return fail(dir.error(), cli.bench.dir);
    cli.bench.dir = cli.stage.dir = *dir;
    const auto pgbench = find_pg_tool("pgbench", pgbench_major);
    if (!pgbench) {
        return fail(make_error(Side::local, "pgbench not found", "run scripts/install-deps.sh"),
                    *dir);
    }
    cli.bench.pgbench = cli.stage.pgbench = pgbench->path;
    say(fmt::format("bench/blackout in {}: PG {} -> PG {}, pgbench scale {}, {} clients",
                    dir->string(), cli.stage.blue_major, cli.stage.green_major, cli.stage.scale,
                    cli.bench.clients));
    auto measured = measure(cli);
    if (!measured) return fail(measured.error(), *dir);

    const auto report = make_report(measured->runbook, measured->pgflip, measured->why_not, {});
    say("\n" + report.text);
    if (auto written = write_json(cli.json_out, *measured, cli, report.met); !written) {
        return fail(written.error(), *dir);
    }
    if (!report.met || cli.keep) {
        say("logs: " + dir->string());
    } else {
        std::error_code ec;
        fs::remove_all(*dir, ec);
    }
    return report.met ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"bench/blackout: pgflip's write blackout against the write-up's runbook"};
    Cli cli;
    add_options(app, cli);
    CLI11_PARSE(app, argc, argv);
    try {
        return run(cli);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench/blackout: internal error: %s\n", e.what());
        return 3;
    }
}
