// pgflip.toml, overridden by PGFLIP_* environment variables, overridden by flags.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip::config {

enum class PoolerKind { pgbouncer, command };
enum class DrainPolicy { abort, cancel };
//! Which PgBouncer pools PAUSE stops; automatic: global unless other databases are served.
enum class PauseScope { automatic, global, database };

//! One pooler in front of blue: a PgBouncer (admin console + ini) or a switch command.
struct Pooler {
    std::string name;
    PoolerKind kind = PoolerKind::pgbouncer;
    std::string admin;           //!< conninfo of the admin console (dbname=pgbouncer)
    std::string ini;             //!< path of pgbouncer.ini, rewritten atomically on switch
    std::string database;        //!< the [databases] entry (and pool) the application uses
    std::string switch_command;  //!< kind=command: run with PGFLIP_TARGET_HOST/PORT/DBNAME set
    std::string client;          //!< conninfo through the pooler, for the health probe
    PauseScope pause_scope = PauseScope::automatic;  //!< pgbouncer: PAUSE everything or one db
    std::string pause_command;   //!< kind=command, optional: stops new work before the switch
    std::string resume_command;  //!< kind=command, optional: lets work through again
};

struct Cutover {
    int budget_ms = 5000;         //!< the whole flip, PAUSE to RESUME
    int drain_timeout_ms = 2000;  //!< how long PAUSE may wait for in-flight transactions
    DrainPolicy drain_policy = DrainPolicy::abort;
    long long max_lag_bytes = 16LL * 1024 * 1024;  //!< precondition
    int max_xact_age_ms = 1000;  //!< precondition: longest running transaction on blue
};

struct Config {
    std::string blue;             //!< conninfo pgflip uses for blue
    std::string green;            //!< conninfo pgflip uses for green
    std::string blue_from_green;  //!< how green reaches blue (subscription); default: blue
    std::string green_from_blue;  //!< how blue reaches green (reverse); default: green
    std::vector<Pooler> poolers;
    std::vector<std::string> app_roles;  //!< roles fenced on cutover; empty: every login role
                                         //!< that is not a superuser or replication role
    std::string name = "pgflip";         //!< prefix of publication, slot and subscription names
    std::string state_dir = ".pgflip";
    std::string pg_dump;  //!< path override; default: found automatically
    int jobs = 4;
    Cutover cutover;
    std::string source;  //!< which file it came from, for messages
};

//! What the command line says; empty optionals leave the lower layers in force.
struct Overrides {
    std::optional<std::string> config_path;
    std::optional<std::string> blue;
    std::optional<std::string> green;
    std::optional<std::string> state_dir;
};

using Getenv = std::function<std::optional<std::string>(const std::string&)>;

//! Reads the environment with std::getenv.
[[nodiscard]] Getenv process_env();

//! File (flag, else PGFLIP_CONFIG, else ./pgflip.toml when present), then env, then flags.
Result<Config> load(const Overrides& overrides, const Getenv& env);
//! Parses TOML text; `source` names it in errors.
Result<Config> parse(std::string_view toml_text, const std::string& source);
//! Checks what every command needs: blue and green given.
Status require_servers(const Config& config);

}  // namespace pgflip::config
