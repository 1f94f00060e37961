#include "pooler/pgbouncer.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>

#include "pooler/admin.hpp"
#include "pooler/ini.hpp"
#include "pooler/pending.hpp"

namespace pgflip::pooler {

namespace {

using config::PauseScope;

//! For the console commands that answer in milliseconds when PgBouncer is healthy.
constexpr pg::milliseconds quick_command{2000};

bool is_bare_word(const std::string& name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
    });
}

bool says_not_paused(const Error& e) {
    return e.message.find("not paused") != std::string::npos;
}

const DatabaseEntry* find_entry(const std::vector<DatabaseEntry>& entries,
                                const std::string& name) {
    for (const auto& e : entries) {
        if (e.name == name) return &e;
    }
    return nullptr;
}

Target target_of(const DatabaseEntry& entry) {
    return Target{entry.host, entry.port, entry.database};
}

std::string describe(const Target& t) {
    return (t.host.empty() ? std::string("(unix socket)") : t.host) + ":" + t.port + "/" + t.dbname;
}

std::string join_pids(const std::vector<int>& pids) {
    std::string out;
    for (int pid : pids) out += (out.empty() ? "" : ", ") + std::to_string(pid);
    return out;
}

//! True when PgBouncer has (or would create, through "*") a pool for another database.
bool other_databases(const std::vector<DatabaseEntry>& live, const std::vector<std::string>& in_ini,
                     const std::string& ours) {
    std::set<std::string> names(in_ini.begin(), in_ini.end());
    for (const auto& e : live) names.insert(e.name);
    names.erase("pgbouncer");
    names.erase(ours);
    return !names.empty();
}

}  // namespace

std::optional<std::string> console_name(const std::string& name) {
    if (is_bare_word(name))
        return name.size() <= max_console_argument ? name : std::optional<std::string>();
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    out += "\"";
    if (out.size() > max_console_argument) return std::nullopt;
    return out;
}

Result<PauseScope> choose_pause_scope(PauseScope requested, const BouncerFacts& facts,
                                      const std::string& database) {
    const bool nameable = console_name(database).has_value();
    if (requested == PauseScope::database && !nameable) {
        return make_error(Side::pooler,
                          "PgBouncer's console cannot name database \"" + database +
                              "\" (63 bytes at most, quotes included)",
                          "set pause_scope = \"global\" (or \"auto\")");
    }
    if (requested != PauseScope::automatic) return requested;
    return facts.serves_other_databases && nameable ? PauseScope::database : PauseScope::global;
}

PgBouncerPooler::PgBouncerPooler(config::Pooler config) : config_(std::move(config)) {}

Error PgBouncerPooler::in_context(Error error, std::string_view what) const {
    error.side = Side::pooler;
    error.message = "pooler " + config_.name + ": " + std::string(what) + ": " + error.message;
    return error;
}

Status PgBouncerPooler::check_config() const {
    if (config_.ini.empty()) {
        return make_error(Side::pooler, "pooler " + config_.name + " has no 'ini' path",
                          "give the path of pgbouncer.ini, or use kind = \"command\"");
    }
    if (config_.database.empty()) {
        return make_error(Side::pooler, "pooler " + config_.name + " has no 'database'",
                          "name the [databases] entry the application connects to");
    }
    return {};
}

// ---- connections ------------------------------------------------------------------------------

Status PgBouncerPooler::ensure_pauser(pg::Deadline deadline) {
    if (pauser_ && pauser_->is_ok()) return {};
    pauser_.reset();
    auto conn = connect_admin(config_, deadline);
    if (!conn.ok()) return conn.take_error();
    pauser_.emplace(std::move(conn).value());
    return {};
}

//! Caller holds spare_mutex_.
Status PgBouncerPooler::ensure_spare(pg::Deadline deadline) {
    if (spare_ && spare_->is_ok()) return {};
    spare_.reset();
    auto conn = connect_admin(config_, deadline);
    if (!conn.ok()) return conn.take_error();
    spare_.emplace(std::move(conn).value());
    return {};
}

//! One command on the spare connection (caller holds spare_mutex_); reconnects once when the
//! connection turns out dead, as every command sent this way is idempotent.
Status PgBouncerPooler::admin_command(std::string_view sql, pg::Deadline deadline) {
    PGFLIP_TRY(ensure_spare(deadline));
    auto rows = spare_->query(sql, deadline);
    if (!rows.ok() && !spare_->is_ok()) {  // the console reports every error as 08P01
        spare_.reset();
        PGFLIP_TRY(ensure_spare(deadline));
        rows = spare_->query(sql, deadline);
    }
    if (!rows.ok()) return in_context(rows.take_error(), sql);
    return {};
}

// ---- prepare ----------------------------------------------------------------------------------

Status PgBouncerPooler::read_ini_entry() {
    auto text = ini::read_file(config_.ini);
    if (!text.ok()) return in_context(text.take_error(), "reading the ini");
    auto entry = ini::find_database(*text, config_.database, config_.ini);
    if (!entry.ok()) return in_context(entry.take_error(), "ini");
    ini_target_ = ini::target_of(entry->value, config_.database);
    Status writable = ini::check_writable(config_.ini);
    if (!writable.ok()) return in_context(writable.take_error(), "ini not writable");
    ini_databases_ = ini::database_names(*text);
    return {};
}

Result<BouncerFacts> PgBouncerPooler::learn_facts(pg::Deadline deadline) {
    const std::lock_guard lock(spare_mutex_);
    PGFLIP_TRY(ensure_spare(deadline));
    auto settings = show_config(*spare_, deadline);
    if (!settings.ok()) return in_context(settings.take_error(), "SHOW CONFIG");
    auto dbs = show_databases(*spare_, deadline);
    if (!dbs.ok()) return in_context(dbs.take_error(), "SHOW DATABASES");
    const DatabaseEntry* ours = find_entry(*dbs, config_.database);
    if (ours == nullptr) {
        return make_error(Side::pooler,
                          "pooler " + config_.name + ": PgBouncer has no database \"" +
                              config_.database + "\" although " + config_.ini + " has it",
                          "RELOAD PgBouncer, or check that 'ini' is the file it runs with");
    }
    BouncerFacts facts;
    facts.login_retry_setting = (*settings)["server_login_retry"];
    facts.server_login_retry = std::atof(facts.login_retry_setting.c_str());
    facts.pool_mode = ours->pool_mode.empty() ? (*settings)["pool_mode"] : ours->pool_mode;
    facts.serves_other_databases = other_databases(*dbs, ini_databases_, config_.database);
    facts.live = target_of(*ours);
    // resume() relies on SET: prove now that the console takes it (a no-op change).
    PGFLIP_TRY(
        admin_command("SET server_login_retry = '" + facts.login_retry_setting + "'", deadline));
    return facts;
}

//! Our RELOAD would apply whatever the ini says; an entry edited but not reloaded means someone
//! else's change is pending, or 'ini' is not the file PgBouncer runs with.
Status PgBouncerPooler::check_ini_matches_live() const {
    if (ini_target_ == facts_.live) return {};
    return make_error(Side::pooler,
                      "pooler " + config_.name + ": " + config_.ini + " points \"" +
                          config_.database + "\" at " + describe(ini_target_) +
                          " but PgBouncer runs with " + describe(facts_.live),
                      "RELOAD PgBouncer (or undo the edit) before the cutover, and check that "
                      "'ini' is the file PgBouncer was started with");
}

Status PgBouncerPooler::prepare(pg::Deadline deadline) {
    PGFLIP_TRY(check_config());
    PGFLIP_TRY(read_ini_entry());
    PGFLIP_TRY(ensure_pauser(deadline));
    auto facts = learn_facts(deadline);
    if (!facts.ok()) return facts.take_error();
    facts_ = std::move(facts).value();
    PGFLIP_TRY(check_ini_matches_live());
    auto scope = choose_pause_scope(config_.pause_scope, facts_, config_.database);
    if (!scope.ok()) return in_context(scope.take_error(), "pause_scope");
    scope_ = *scope;
    return {};
}

// ---- pause ------------------------------------------------------------------------------------

std::string PgBouncerPooler::pause_sql() const {
    return scope_ == PauseScope::database ? "PAUSE " + console_name(config_.database).value_or("")
                                          : "PAUSE";
}

std::string PgBouncerPooler::resume_sql(PauseScope scope) const {
    return scope == PauseScope::database ? "RESUME " + console_name(config_.database).value_or("")
                                         : "RESUME";
}

Status PgBouncerPooler::pause(pg::Deadline drain_deadline) {
    const auto started = pg::Clock::now();
    PGFLIP_TRY(ensure_pauser(drain_deadline));
    PendingCommand pending(std::move(*pauser_), pause_sql());
    pauser_.reset();
    if (pending.wait(drain_deadline)) return finish_pause(pending);
    return abort_pause(pending,
                       std::chrono::duration_cast<pg::milliseconds>(pg::Clock::now() - started));
}

Status PgBouncerPooler::finish_pause(PendingCommand& pending) {
    Status status = pending.result();
    pauser_.emplace(pending.take_connection());
    if (status.ok()) return {};
    Error e = in_context(status.take_error(), pause_sql());
    if (e.message.find("already") != std::string::npos) {
        e.fix = "a pause is still in force (a crashed run?): RESUME it first (pgflip resume)";
    }
    return e;
}

//! The drain deadline passed: RESUME from the spare connection, leave the hung one to its
//! thread (issue 715), open a fresh one for the next attempt.
Status PgBouncerPooler::abort_pause(PendingCommand& pending, pg::milliseconds waited) {
    pending.abandon();
    Status resumed;
    {
        const std::lock_guard lock(spare_mutex_);
        resumed = resume_locked(pg::after(quick_command));
    }
    std::vector<int> pids = blocking_server_pids();
    ignore_failure(ensure_pauser(pg::after(quick_command)));  // pause() retries it otherwise
    if (!resumed.ok()) {
        Error e = resumed.take_error();
        e.message += " (after PAUSE did not drain: the pooler may still be PAUSED)";
        e.fix = "RESUME on PgBouncer's console now";
        return e;
    }
    Error e = make_error(
        Side::pooler,
        "pooler " + config_.name + ": PAUSE did not drain within " +
            std::to_string(waited.count()) + " ms; RESUMEd, nothing changed" +
            (pids.empty()
                 ? ""
                 : " (server connections still in use: blue pids " + join_pids(pids) + ")"),
        "end long or idle-in-transaction sessions on blue (pg_stat_activity), or set "
        "cutover.drain_policy = \"cancel\"");
    e.sqlstate = "57014";
    return e;
}

std::vector<int> PgBouncerPooler::blocking_server_pids() {
    const std::lock_guard lock(spare_mutex_);
    const auto deadline = pg::after(quick_command);
    if (!ensure_spare(deadline).ok()) return {};
    auto servers = show_servers(*spare_, deadline);
    auto dbs = show_databases(*spare_, deadline);
    if (!servers.ok() || !dbs.ok()) return {};
    const DatabaseEntry* ours = find_entry(*dbs, config_.database);
    std::set<std::string> same_server = {config_.database};
    for (const auto& d : *dbs) {
        bool same = ours != nullptr && d.host == ours->host && d.port == ours->port;
        if (same && scope_ == PauseScope::global) same_server.insert(d.name);
    }
    std::set<int> pids;
    for (const auto& s : *servers) {
        bool active = s.state.rfind("active", 0) == 0;
        if (active && s.remote_pid != 0 && same_server.count(s.database) != 0) {
            pids.insert(s.remote_pid);
        }
    }
    return {pids.begin(), pids.end()};
}

// ---- switch -----------------------------------------------------------------------------------

//! The ini text with the entry pointing at `target`; `current` receives the text it read.
Result<std::string> PgBouncerPooler::new_ini_text(const Target& target, std::string& current) {
    auto text = ini::read_file(config_.ini);
    if (!text.ok()) return in_context(text.take_error(), "reading the ini");
    current = std::move(text).value();
    auto entry = ini::find_database(current, config_.database, config_.ini);
    if (!entry.ok()) return in_context(entry.take_error(), "ini");
    return ini::replace_value(current, *entry, ini::with_target(entry->value, target));
}

Status PgBouncerPooler::stage_switch(const Target& target, pg::Deadline /*deadline*/) {
    PGFLIP_TRY(check_config());
    staged_.reset();
    std::string current;
    auto wanted = new_ini_text(target, current);
    if (!wanted.ok()) return wanted.take_error();
    if (*wanted == current) return {};
    auto file = ini::stage(config_.ini, *wanted);
    if (!file.ok()) return in_context(file.take_error(), "staging the ini");
    staged_ = StagedIni{target, std::move(current), std::move(file).value()};
    return {};
}

//! Puts the ini for `target` in place: the staged file when the ini is as it was when staged,
//! else a fresh rewrite (whatever else changed in the file meanwhile is kept).
Status PgBouncerPooler::install_ini(const Target& target) {
    std::string current;
    auto wanted = new_ini_text(target, current);
    if (!wanted.ok()) return wanted.take_error();
    std::optional<StagedIni> staged = std::move(staged_);
    staged_.reset();
    if (*wanted == current) return {};
    if (staged && staged->target == target && staged->based_on == current) {
        Status installed = staged->file->install();
        if (!installed.ok()) return in_context(installed.take_error(), "installing the ini");
        return {};
    }
    auto file = ini::stage(config_.ini, *wanted);
    if (!file.ok()) return in_context(file.take_error(), "rewriting the ini");
    Status installed = (*file)->install();
    if (!installed.ok()) return in_context(installed.take_error(), "rewriting the ini");
    return {};
}

Status PgBouncerPooler::switch_to(const Target& target, pg::Deadline deadline) {
    PGFLIP_TRY(check_config());
    PGFLIP_TRY(install_ini(target));
    ini_target_ = target;
    {
        const std::lock_guard lock(spare_mutex_);
        PGFLIP_TRY(reload_and_verify(target, deadline));
    }
    // The rename only had to be visible to RELOAD; it is made durable after, outside the RELOAD.
    Status synced = ini::sync_directory(config_.ini);
    if (!synced.ok()) return in_context(synced.take_error(), "ini");
    return {};
}

//! Caller holds spare_mutex_.
Status PgBouncerPooler::reload_and_verify(const Target& target, pg::Deadline deadline) {
    PGFLIP_TRY(admin_command("RELOAD", deadline));
    auto live = live_target_locked(deadline);
    if (!live.ok()) return live.take_error();
    if (*live == target) return {};
    return make_error(Side::pooler,
                      "pooler " + config_.name + ": after RELOAD PgBouncer still points \"" +
                          config_.database + "\" at " + describe(*live) + ", not " +
                          describe(target),
                      "PgBouncer rejected the ini (its log says why), or 'ini' is not the file "
                      "it runs with");
}

// ---- resume and target ------------------------------------------------------------------------

//! Caller holds spare_mutex_. Our scope first: that is the one that lets clients through.
Status PgBouncerPooler::resume_scopes(pg::Deadline deadline) {
    const PauseScope other =
        scope_ == PauseScope::global ? PauseScope::database : PauseScope::global;
    for (PauseScope scope : {scope_, other}) {
        if (scope == PauseScope::database && !console_name(config_.database)) continue;
        Status s = admin_command(resume_sql(scope), deadline);
        if (!s.ok() && !says_not_paused(s.error())) return s;
    }
    return {};
}

//! Caller holds spare_mutex_. The value to put back after RESUME (SHOW CONFIG when prepare()
//! did not run: a resume from another process).
Result<std::string> PgBouncerPooler::login_retry_setting(pg::Deadline deadline) {
    if (!facts_.login_retry_setting.empty()) return facts_.login_retry_setting;
    PGFLIP_TRY(ensure_spare(deadline));
    auto settings = show_config(*spare_, deadline);
    if (!settings.ok()) return in_context(settings.take_error(), "SHOW CONFIG");
    facts_.login_retry_setting = (*settings)["server_login_retry"];
    return facts_.login_retry_setting;
}

//! Caller holds spare_mutex_. With server_login_retry at 0 a pool that PAUSE or RELOAD marked
//! failed connects at once on RESUME; the setting goes back right after.
Status PgBouncerPooler::resume_locked(pg::Deadline deadline) {
    auto setting = login_retry_setting(deadline);
    bool lowered = setting.ok() && !setting->empty() &&
                   admin_command("SET server_login_retry = '0'", deadline).ok();
    Status resumed = resume_scopes(deadline);
    if (lowered) {
        Status restored = admin_command("SET server_login_retry = '" + *setting + "'", deadline);
        if (resumed.ok() && !restored.ok()) return restored;
    }
    return resumed;
}

Status PgBouncerPooler::resume(pg::Deadline deadline) {
    const std::lock_guard lock(spare_mutex_);
    return resume_locked(deadline);
}

//! Caller holds spare_mutex_.
Result<Target> PgBouncerPooler::live_target_locked(pg::Deadline deadline) {
    PGFLIP_TRY(ensure_spare(deadline));
    auto dbs = show_databases(*spare_, deadline);
    if (!dbs.ok()) return in_context(dbs.take_error(), "SHOW DATABASES");
    const DatabaseEntry* ours = find_entry(*dbs, config_.database);
    if (ours == nullptr) {
        return make_error(
            Side::pooler,
            "pooler " + config_.name + ": PgBouncer has no database \"" + config_.database + "\"",
            "check 'database' and the [databases] section of " + config_.ini);
    }
    return target_of(*ours);
}

Result<Target> PgBouncerPooler::current_target(pg::Deadline deadline) {
    const std::lock_guard lock(spare_mutex_);
    return live_target_locked(deadline);
}

}  // namespace pgflip::pooler
