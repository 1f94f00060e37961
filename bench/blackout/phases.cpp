#include "phases.hpp"

#include <thread>

#include "load.hpp"

namespace pgflip::bench {

namespace {

constexpr EpochMicros ramp_up_us = 1000000;     // pgbench connecting its clients
constexpr EpochMicros control_gap_us = 500000;  // between a control window and its flip
constexpr int runbook_slack_s = 5;              // what the runbook needs besides its LSN loop
constexpr const char* runbook_db = "runbook";
constexpr const char* pgflip_db = "blackout";

void sleep_until(EpochMicros when) {
    const auto wait = when - epoch_now();
    if (wait > 0) std::this_thread::sleep_for(std::chrono::microseconds(wait));
}

LoadOptions load_options(const BenchOptions& o, const lab::Bouncer& bouncer,
                         const std::string& dbname, int seconds, const std::string& tag) {
    LoadOptions load;
    load.pgbench = o.pgbench;
    load.port = bouncer.port();
    load.user = app_user;
    load.dbname = dbname;
    load.clients = o.clients;
    load.threads = o.threads;
    load.rate = o.rate;
    load.seconds = seconds;
    load.dir = o.dir;
    load.tag = tag;
    return load;
}

//! The longest gap in an equally long window with no flip: just before the flip when the load
//! ran long enough by then, else just after it.
std::optional<double> control_gap(const TxLog& log, const Window& flip, EpochMicros load_start) {
    const auto length = flip.end - flip.begin;
    Window control{flip.begin - control_gap_us - length, flip.begin - control_gap_us};
    if (control.begin < load_start + ramp_up_us) {
        control = {flip.end + control_gap_us, flip.end + control_gap_us + length};
    }
    const auto gap = longest_gap(log.commits, control);
    if (!gap) return std::nullopt;
    return static_cast<double>(*gap) / 1000.0;
}

//! Reads the blackout of each flip (and its control) from one load's logs.
void measure(PhaseResult& phase, std::vector<FlipRun> flips, const LoadResult& load,
             EpochMicros load_start) {
    for (auto& flip : flips) {
        if (const auto gap = longest_gap(load.log.commits, flip.window)) {
            flip.blackout_ms = static_cast<double>(*gap) / 1000.0;
        } else {
            phase.problems.push_back("the load ended before a flip did: its blackout is unknown");
        }
        if (const auto control = control_gap(load.log, flip.window, load_start)) {
            phase.control_ms.push_back(*control);
        }
        phase.flips.push_back(std::move(flip));
    }
    phase.committed += static_cast<long long>(load.log.commits.size());
    phase.client_errors += load.errors();
    if (load.exit_code != 0) {
        phase.problems.push_back("pgbench exited with " + std::to_string(load.exit_code) +
                                 ", see " + load.output.string());
    }
}

Result<long long> rows_on_primary(const Stage& stage, const lab::Bouncer& bouncer,
                                  const std::string& dbname, Side& primary) {
    auto served = stage.served_by(bouncer, dbname);
    if (!served) return served.take_error();
    primary = *served;
    return history_rows(stage, dbname, primary);
}

//! One runbook flip away from `primary` under its own load; `primary` follows the writes.
Status runbook_flip(const Stage& stage, const BenchOptions& o, const lab::Bouncer& bouncer,
                    int index, Side& primary, PhaseResult& phase) {
    const auto names = ReplicationNames::from(runbook_db);
    PGFLIP_TRY(arm_from_scratch(stage, runbook_db, primary, names, o.arm_timeout));
    auto before = history_rows(stage, runbook_db, primary);
    if (!before) return before.take_error();
    const std::string tag = "runbook-" + std::to_string(index + 1);
    const int seconds = o.warmup_s + o.lsn_budget_s + runbook_slack_s + o.tail_s;
    auto load = Load::start(load_options(o, bouncer, runbook_db, seconds, tag));
    if (!load) return load.take_error();
    sleep_until(load->started() + o.warmup_s * 1000000LL);
    const RunbookSetup setup{o.runbook_script,
                             bouncer.port(),
                             runbook_db,
                             stage.port(primary),
                             stage.port(other(primary)),
                             names.subscription,
                             bouncer.ini(),
                             o.dir / (tag + ".setval.sql"),
                             o.lsn_budget_s};
    auto flip = run_runbook(setup, primary, o.dir / (tag + ".out"));
    if (!flip) return flip.take_error();
    auto result = load->finish();
    if (!result) return result.take_error();
    auto after = rows_on_primary(stage, bouncer, runbook_db, primary);
    if (!after) return after.take_error();
    phase.rows_gained += *after - *before;
    measure(phase, {std::move(*flip)}, *result, load->started());
    return {};
}

}  // namespace

Result<PhaseResult> run_runbook_phase(const Stage& stage, const BenchOptions& o) {
    PhaseResult phase;
    auto bouncer = stage.start_bouncer(runbook_db, Side::blue);
    if (!bouncer) return bouncer.take_error();
    Side primary = Side::blue;
    for (int i = 0; i < o.runbook_flips; ++i) {
        PGFLIP_TRY(runbook_flip(stage, o, *bouncer, i, primary, phase));
    }
    // Nothing of this half may stream on while pgflip's half runs.
    PGFLIP_TRY(disarm(stage, runbook_db, other(primary), ReplicationNames::from(runbook_db),
                      pg::after(o.arm_timeout)));
    return phase;
}

Result<PhaseResult> run_pgflip_phase(const Stage& stage, const BenchOptions& o) {
    PhaseResult phase;
    auto bouncer = stage.start_bouncer(pgflip_db, Side::blue);
    if (!bouncer) return bouncer.take_error();
    PGFLIP_TRY(arm_from_scratch(stage, pgflip_db, Side::blue, ReplicationNames::from(pgflip_db),
                                o.arm_timeout));
    const fs::path config = o.dir / "pgflip.toml";
    PGFLIP_TRY(write_pgflip_config(
        config,
        {pgflip_db, stage.conninfo(Side::blue, pgflip_db), stage.conninfo(Side::green, pgflip_db),
         bouncer->admin_conninfo(), bouncer->conninfo(pgflip_db, app_user), bouncer->ini(),
         pgflip_db, o.dir / "pgflip-state"}));
    auto before = history_rows(stage, pgflip_db, Side::blue);
    if (!before) return before.take_error();

    const int seconds = o.warmup_s + o.flips * o.period_s + o.tail_s;
    auto load = Load::start(load_options(o, *bouncer, pgflip_db, seconds, "pgflip"));
    if (!load) return load.take_error();
    const EpochMicros load_end = load->started() + seconds * 1000000LL;
    std::vector<FlipRun> flips;
    Side primary = Side::blue;
    for (int i = 0; i < o.flips; ++i) {
        sleep_until(load->started() + (o.warmup_s + i * o.period_s) * 1000000LL);
        if (load_end - epoch_now() < o.period_s * 1000000LL) {
            phase.problems.push_back("flips ran late: flip " + std::to_string(i + 1) +
                                     " and later were not run");
            break;
        }
        const auto kind = primary == Side::blue ? FlipKind::cutover : FlipKind::rollback;
        const auto output = o.dir / ("pgflip-" + std::to_string(i + 1) + ".out");
        auto flip = run_pgflip(o.pgflip, config, kind, primary, output, o.flip_timeout);
        if (!flip) return flip.take_error();
        auto served = stage.served_by(*bouncer, pgflip_db);
        if (!served) return served.take_error();
        primary = *served;
        flips.push_back(std::move(*flip));
    }
    auto result = load->finish();
    if (!result) return result.take_error();
    auto after = rows_on_primary(stage, *bouncer, pgflip_db, primary);
    if (!after) return after.take_error();
    phase.rows_gained = *after - *before;
    measure(phase, std::move(flips), *result, load->started());
    return phase;
}

}  // namespace pgflip::bench
