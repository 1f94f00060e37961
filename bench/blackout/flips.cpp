#include "flips.hpp"

#include <nlohmann/json.hpp>
#include <sstream>

#include "stage.hpp"

namespace pgflip::bench {

namespace {

constexpr milliseconds help_timeout{10000};
constexpr int runbook_budget_exceeded = 3;         // runbook.sh: the LSN loop ran out of time
constexpr std::chrono::seconds runbook_slack{30};  // beyond the LSN budget, for psql calls

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (const char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

//! The last non-empty line of a text, for one-line notes.
std::string last_line(const std::string& text) {
    std::istringstream in(text);
    std::string last;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) last = line;
    }
    return last;
}

//! Reads `pgflip --json` output: outcome, where writes go, its own blackout, its error.
void read_pgflip_json(const std::string& text, FlipRun& run) {
    const auto doc = nlohmann::json::parse(text, nullptr, false);
    if (doc.is_discarded() || !doc.is_object()) return;
    if (doc.contains("blackout_ms") && doc["blackout_ms"].is_number()) {
        run.self_reported_ms = doc["blackout_ms"].get<double>();
    }
    const auto on = doc.value("on", std::string());
    run.flipped = on == std::string(to_string(other(run.from)));
    if (doc.contains("error") && doc["error"].is_object()) {
        run.note = doc["error"].value("message", std::string());
    } else if (!run.flipped) {
        run.note = "outcome " + doc.value("outcome", std::string("unknown"));
    }
}

//! "mark <step> <ms>" lines of runbook.sh.
void read_marks(const std::string& text, FlipRun& run) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        std::istringstream words(line);
        std::string tag, step;
        double ms = 0;
        if (words >> tag >> step >> ms && tag == "mark") run.marks.emplace_back(step, ms);
        if (line.starts_with("lsn_timeout")) run.note = line;
    }
}

}  // namespace

std::string_view to_string(FlipKind kind) {
    switch (kind) {
        case FlipKind::cutover:
            return "pgflip cutover";
        case FlipKind::rollback:
            return "pgflip rollback";
        case FlipKind::runbook:
            return "runbook";
    }
    return "?";
}

Status write_pgflip_config(const fs::path& path, const PgflipSetup& s) {
    std::string text = "# Written by bench/blackout for one bench run.\n";
    text += "name = " + toml_string(s.name) + "\n";
    text += "state_dir = " + toml_string(s.state_dir.string()) + "\n";
    text += "app_roles = [\"app\"]\n\n";
    text += "[blue]\nconninfo = " + toml_string(s.blue) + "\n\n";
    text += "[green]\nconninfo = " + toml_string(s.green) + "\n\n";
    text += "[cutover]\nbudget_ms = 5000\ndrain_timeout_ms = 2000\ndrain_policy = \"abort\"\n\n";
    text += "[[pooler]]\nname = \"pgbouncer\"\nkind = \"pgbouncer\"\n";
    text += "admin = " + toml_string(s.pooler_admin) + "\n";
    text += "ini = " + toml_string(s.ini.string()) + "\n";
    text += "database = " + toml_string(s.database) + "\n";
    text += "client = " + toml_string(s.pooler_client) + "\n";
    return write_text(path, text);
}

bool pgflip_can_flip(const fs::path& pgflip, const fs::path& scratch_dir) {
    for (const std::string command : {"cutover", "rollback"}) {
        // An unknown subcommand's --help prints the general usage, and exits 0 too.
        const auto out = scratch_dir / ("pgflip-" + command + "-help.out");
        auto code = run({{pgflip.string(), command, "--help"}, {}, out, {}}, help_timeout);
        if (!code || *code != 0) return false;
        if (read_text(out).find(" " + command + " [OPTIONS]") == std::string::npos) return false;
    }
    return true;
}

Result<FlipRun> run_pgflip(const fs::path& pgflip, const fs::path& config, FlipKind kind, Side from,
                           const fs::path& output, milliseconds timeout) {
    FlipRun run;
    run.kind = kind;
    run.from = from;
    run.output = output;
    const std::string command = kind == FlipKind::rollback ? "rollback" : "cutover";
    const fs::path json = output.string() + ".json";
    const Command flip{
        {pgflip.string(), command, "--config", config.string(), "--json"}, {}, json, output};
    run.window.begin = epoch_now();
    auto child = Child::spawn(flip);
    if (!child) return child.take_error();
    auto code = child->wait(SteadyClock::now() + timeout);
    run.window.end = epoch_now();
    if (!code) {
        run.timed_out = true;
        run.note = code.error().message;
        return run;
    }
    run.exit_code = *code;
    read_pgflip_json(read_text(json), run);
    if (run.note.empty() && run.exit_code != 0) run.note = last_line(read_text(output));
    return run;
}

Result<FlipRun> run_runbook(const RunbookSetup& s, Side from, const fs::path& output) {
    FlipRun run;
    run.kind = FlipKind::runbook;
    run.from = from;
    run.output = output;
    const Command flip{{s.script.string()},
                       {{"BOUNCER_PORT", std::to_string(s.bouncer_port)},
                        {"POOL", s.database},
                        {"DBNAME", s.database},
                        {"BLUE_PORT", std::to_string(s.from_port)},
                        {"GREEN_PORT", std::to_string(s.to_port)},
                        {"SUBSCRIPTION", s.subscription},
                        {"INI", s.ini.string()},
                        {"SEQUENCE_FILE", s.sequence_file.string()},
                        {"LSN_BUDGET_S", std::to_string(s.lsn_budget_s)}},
                       output,
                       {}};
    run.window.begin = epoch_now();
    auto child = Child::spawn(flip);
    if (!child) return child.take_error();
    auto code =
        child->wait(SteadyClock::now() + std::chrono::seconds(s.lsn_budget_s) + runbook_slack);
    run.window.end = epoch_now();
    if (!code) return code.take_error();
    run.exit_code = *code;
    run.flipped = *code == 0;
    run.timed_out = *code == runbook_budget_exceeded;
    const auto text = read_text(output);
    read_marks(text, run);
    if (!run.flipped && !run.timed_out) run.note = last_line(text);
    return run;
}

}  // namespace pgflip::bench
