// One flip of the application from one side to the other, timed from the outside: `pgflip
// cutover` / `pgflip rollback` run as the real binary, or the write-up's runbook (runbook.sh).
// The window is from spawning the process to seeing it exit; the blackout inside it is read
// from pgbench's logs afterwards.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"
#include "gaps.hpp"
#include "process.hpp"

namespace pgflip::bench {

enum class FlipKind { cutover, rollback, runbook };

[[nodiscard]] std::string_view to_string(FlipKind kind);

struct FlipRun {
    FlipKind kind = FlipKind::cutover;
    Side from = Side::blue;  //!< where writes went before
    Window window;
    int exit_code = 0;
    bool flipped = false;    //!< writes go to the other side now
    bool timed_out = false;  //!< runbook: the LSN loop spent its budget; pgflip: past deadline
    std::string note;        //!< what went wrong, in one line
    std::optional<double> self_reported_ms;             //!< pgflip's own PAUSE-to-RESUME time
    std::vector<std::pair<std::string, double>> marks;  //!< runbook: step, ms since its t=0
    fs::path output;
    std::optional<double> blackout_ms;  //!< from pgbench's logs, filled in afterwards
};

//! What the generated pgflip.toml describes.
struct PgflipSetup {
    std::string name;
    std::string blue, green;  //!< superuser conninfo
    std::string pooler_admin, pooler_client;
    fs::path ini;
    std::string database;
    fs::path state_dir;
};

Status write_pgflip_config(const fs::path& path, const PgflipSetup& setup);
//! True when pgflip knows `cutover` and `rollback` (their --help names them).
[[nodiscard]] bool pgflip_can_flip(const fs::path& pgflip, const fs::path& scratch_dir);

Result<FlipRun> run_pgflip(const fs::path& pgflip, const fs::path& config, FlipKind kind, Side from,
                           const fs::path& output, milliseconds timeout);

//! How runbook.sh reaches this stage.
struct RunbookSetup {
    fs::path script;
    int bouncer_port = 0;
    std::string database;
    int from_port = 0, to_port = 0;
    std::string subscription;
    fs::path ini;
    fs::path sequence_file;
    int lsn_budget_s = 15;
};

Result<FlipRun> run_runbook(const RunbookSetup& setup, Side from, const fs::path& output);

}  // namespace pgflip::bench
