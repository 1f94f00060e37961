#include "report.hpp"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace pgflip::bench {

namespace {

std::vector<double> blackouts(const PhaseResult& phase, FlipKind kind) {
    std::vector<double> out;
    for (const auto& flip : phase.flips) {
        if (flip.kind == kind && flip.blackout_ms) out.push_back(*flip.blackout_ms);
    }
    return out;
}

int unsuccessful(const PhaseResult& phase, FlipKind kind) {
    int n = 0;
    for (const auto& flip : phase.flips) n += flip.kind == kind && !flip.flipped ? 1 : 0;
    return n;
}

std::string row(std::string_view label, const Summary& s, const std::string& note) {
    return fmt::format("  {:<20} {:>3} {:>11.1f} {:>11.1f}  {}\n", label, s.n, s.median_ms,
                       s.worst_ms, note);
}

std::string kind_row(const PhaseResult& phase, FlipKind kind) {
    const int failed = unsuccessful(phase, kind);
    std::string note;
    if (failed > 0) {
        note = fmt::format("{} did not flip{}", failed,
                           kind == FlipKind::runbook ? " (LSN loop out of budget)" : "");
    }
    return row(to_string(kind), summarize(blackouts(phase, kind)), note);
}

std::string flip_line(int index, const FlipRun& flip) {
    std::string line = fmt::format(
        "  #{:<2} {:<16} {} -> {}  blackout {:>8}  window {:>7.1f} ms", index, to_string(flip.kind),
        to_string(flip.from), to_string(other(flip.from)),
        flip.blackout_ms ? fmt::format("{:.1f} ms", *flip.blackout_ms) : std::string("?"),
        static_cast<double>(flip.window.end - flip.window.begin) / 1000.0);
    if (flip.self_reported_ms)
        line += fmt::format("  (pgflip says {:.1f} ms)", *flip.self_reported_ms);
    for (const auto& [step, ms] : flip.marks) line += fmt::format(" {}@{:.0f}", step, ms);
    if (!flip.flipped) line += "  NOT FLIPPED";
    if (!flip.note.empty()) line += "  " + flip.note;
    return line + "\n";
}

struct Verdicts {
    std::string text;
    bool met = true;
    void add(bool ok, const std::string& what) {
        text += fmt::format("  {} {}\n", ok ? "PASS" : "FAIL", what);
        met = met && ok;
    }
};

void kind_verdicts(Verdicts& v, const PhaseResult& pgflip, FlipKind kind, const Targets& t) {
    const auto s = summarize(blackouts(pgflip, kind));
    const auto name = std::string(to_string(kind));
    v.add(s.n > 0 && s.median_ms <= t.median_ms,
          fmt::format("{} median {:.1f} ms <= {:.0f} ms", name, s.median_ms, t.median_ms));
    v.add(s.n > 0 && s.worst_ms <= t.worst_ms,
          fmt::format("{} worst {:.1f} ms <= {:.0f} ms", name, s.worst_ms, t.worst_ms));
    v.add(unsuccessful(pgflip, kind) == 0, fmt::format("{}: every flip flipped ({} of {})", name,
                                                       s.n - unsuccessful(pgflip, kind), s.n));
}

void accounting_verdicts(Verdicts& v, const std::string& name, const PhaseResult& phase) {
    v.add(phase.lost_writes() == 0,
          fmt::format("{}: {} lost writes ({} committed in pgbench's logs, {} rows in "
                      "pgbench_history on the final primary)",
                      name, phase.lost_writes(), phase.committed, phase.rows_gained));
    v.add(phase.client_errors == 0, fmt::format("{}: {} client errors", name, phase.client_errors));
    for (const auto& problem : phase.problems) v.add(false, name + ": " + problem);
}

}  // namespace

Report make_report(const PhaseResult& runbook, const std::optional<PhaseResult>& pgflip,
                   const std::string& why_not, const Targets& targets) {
    std::string text =
        "write blackout = longest gap between committed pgbench transactions (all clients) "
        "around a flip\n\n";
    text += fmt::format("  {:<20} {:>3} {:>11} {:>11}\n", "flip", "n", "median ms", "worst ms");
    if (pgflip) {
        text += kind_row(*pgflip, FlipKind::cutover) + kind_row(*pgflip, FlipKind::rollback);
    } else {
        text += fmt::format("  {:<20}   - not run: {}\n", "pgflip", why_not);
    }
    text += kind_row(runbook, FlipKind::runbook);
    const std::string control = "no flip: equally long windows just before (or after) each flip";
    if (pgflip) text += row("control, pgflip", summarize(pgflip->control_ms), control);
    text += row("control, runbook", summarize(runbook.control_ms), control);

    const auto rb = summarize(blackouts(runbook, FlipKind::runbook));
    Verdicts v;
    if (pgflip) {
        auto both = blackouts(*pgflip, FlipKind::cutover);
        const auto rollback = blackouts(*pgflip, FlipKind::rollback);
        both.insert(both.end(), rollback.begin(), rollback.end());
        const auto pf = summarize(both);
        const double ratio = pf.median_ms > 0 ? rb.median_ms / pf.median_ms : 0;
        text +=
            fmt::format("\n  ratio runbook median / pgflip median: {:.1f}x ({:.1f} / {:.1f} ms)\n",
                        ratio, rb.median_ms, pf.median_ms);
        kind_verdicts(v, *pgflip, FlipKind::cutover, targets);
        kind_verdicts(v, *pgflip, FlipKind::rollback, targets);
        v.add(ratio >= targets.ratio,
              fmt::format("ratio {:.1f}x >= {:.1f}x", ratio, targets.ratio));
        accounting_verdicts(v, "pgflip", *pgflip);
    } else {
        v.add(false, "pgflip flips not measured: " + why_not);
    }
    accounting_verdicts(v, "runbook", runbook);

    text += "\nflips\n";
    int index = 0;
    if (pgflip) {
        for (const auto& flip : pgflip->flips) text += flip_line(++index, flip);
    }
    for (const auto& flip : runbook.flips) text += flip_line(++index, flip);
    text += "\ntargets\n" + v.text;
    return {text, v.met};
}

nlohmann::json to_json(const PhaseResult& phase) {
    nlohmann::json flips = nlohmann::json::array();
    for (const auto& f : phase.flips) {
        nlohmann::json j = {
            {"kind", std::string(to_string(f.kind))},
            {"from", std::string(to_string(f.from))},
            {"flipped", f.flipped},
            {"timed_out", f.timed_out},
            {"exit_code", f.exit_code},
            {"window_ms", static_cast<double>(f.window.end - f.window.begin) / 1000.0},
            {"blackout_ms", f.blackout_ms ? nlohmann::json(*f.blackout_ms) : nullptr},
            {"marks", f.marks},
            {"note", f.note}};
        if (f.self_reported_ms) j["self_reported_ms"] = *f.self_reported_ms;
        flips.push_back(j);
    }
    return {{"flips", flips},
            {"control_ms", phase.control_ms},
            {"committed", phase.committed},
            {"rows_gained", phase.rows_gained},
            {"lost_writes", phase.lost_writes()},
            {"client_errors", phase.client_errors},
            {"problems", phase.problems}};
}

}  // namespace pgflip::bench
