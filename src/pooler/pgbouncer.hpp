// The PgBouncer driver: PAUSE, ini rewrite + RELOAD, RESUME through the admin console.
//
// Facts measured on PgBouncer 1.18 + PostgreSQL 15/16 on loopback (tests/integration/
// pooler_test.cpp encodes them):
// - PAUSE returns once every server connection is released (idle pool: 0.1-2 ms; pgbench
//   -c 16 TPC-B: 15-32 ms). An idle-in-transaction client blocks it for ever.
// - A cancel request on the console gets no answer (the connection hangs for good) and, when a
//   global PAUSE is in force, RESUMEs everything; a pending per-database PAUSE stays. RESUME from
//   a second console connection ends a pending PAUSE at once, but the first connection is never
//   answered (pgbouncer issue 715). Hence pending.hpp and a fresh connection after each abort.
// - RESUME 0.02-2 ms; RELOAD 0.03-1.5 ms; the ini's fsyncs 3-12 ms here (stage_switch() takes
//   them out of the pause).
// - The login-retry trap, in general: a server connection that PAUSE or RELOAD closes while it
//   is still logging in marks the pool failed, and PgBouncer opens no server connection for it
//   until server_login_retry (15 s default) has passed: every client waits. A per-database PAUSE
//   springs it whenever a client logs in during the pause (the login opens a server connection,
//   the pause kills it): 14.9 s stall. A global PAUSE springs it when it lands while the pool is
//   growing (2 of 3 runs with load just started). An admin SET is undone by RELOAD, so the fix
//   comes after it: `SET server_login_retry = '0'` right before RESUME and the old value right
//   after (the RESUME's loop iteration has already launched the connections): 8-17 ms instead of
//   14.9 s, for either scope.
//
// So the scope of PAUSE is, unless configured: global when PgBouncer serves no other database
// (it costs nothing), else per database, so that other databases neither pause nor make the
// drain wait for their transactions. The console takes a name as a bare word or double-quoted,
// 63 bytes at most; a longer one forces a global PAUSE.
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pg/connection.hpp"
#include "pooler/ini.hpp"
#include "pooler/pooler.hpp"

namespace pgflip::pooler {

class PendingCommand;

//! What prepare() learned about the PgBouncer and its database.
struct BouncerFacts {
    double server_login_retry = 15;   //!< seconds
    std::string login_retry_setting;  //!< as SHOW CONFIG printed it, to restore after RESUME
    std::string pool_mode;            //!< effective for the database
    bool serves_other_databases = false;
    Target live;  //!< where SHOW DATABASES says the entry points
};

//! The longest argument PgBouncer 1.18's console takes ("bad arguments" beyond).
inline constexpr std::size_t max_console_argument = 63;

//! A database name as the console takes it: a bare word ([A-Za-z0-9_]) as is, anything else
//! double-quoted with quotes doubled; nothing when it would exceed max_console_argument.
[[nodiscard]] std::optional<std::string> console_name(const std::string& name);

//! The PAUSE scope for `requested`, given the facts (see the header comment); an error when a
//! per-database PAUSE is asked for a name the console cannot take.
Result<config::PauseScope> choose_pause_scope(config::PauseScope requested,
                                              const BouncerFacts& facts,
                                              const std::string& database);

class PgBouncerPooler final : public Pooler {
  public:
    explicit PgBouncerPooler(config::Pooler config);

    [[nodiscard]] const std::string& name() const override { return config_.name; }
    Status prepare(pg::Deadline deadline) override;
    Status pause(pg::Deadline drain_deadline) override;
    //! Writes and fsyncs the ini for `target` beside the live one; switch_to(target) renames it
    //! into place when the ini has not changed since.
    Status stage_switch(const Target& target, pg::Deadline deadline) override;
    Status switch_to(const Target& target, pg::Deadline deadline) override;
    //! RESUMEs both scopes (a pause of the other scope may be left by a crashed run), with
    //! server_login_retry at 0 around it to defuse the trap (see above).
    Status resume(pg::Deadline deadline) override;
    //! Where PgBouncer's running configuration points (SHOW DATABASES).
    Result<Target> current_target(pg::Deadline deadline) override;
    //! Active server connections of the database (and, under a global PAUSE, of other
    //! databases on the same host and port). Safe to call while pause() waits.
    std::vector<int> blocking_server_pids() override;

    //! The scope pause() uses: decided by prepare(), global before it.
    [[nodiscard]] config::PauseScope pause_scope() const { return scope_; }
    //! What prepare() found.
    [[nodiscard]] const BouncerFacts& facts() const { return facts_; }

  private:
    Status check_config() const;
    Status read_ini_entry();
    Status ensure_pauser(pg::Deadline deadline);
    Status ensure_spare(pg::Deadline deadline);
    Result<BouncerFacts> learn_facts(pg::Deadline deadline);
    Status check_ini_matches_live() const;
    Status finish_pause(PendingCommand& pending);
    Status abort_pause(PendingCommand& pending, pg::milliseconds waited);
    Status resume_locked(pg::Deadline deadline);
    Status resume_scopes(pg::Deadline deadline);
    Result<std::string> login_retry_setting(pg::Deadline deadline);
    Result<std::string> new_ini_text(const Target& target, std::string& current);
    Status install_ini(const Target& target);
    Status reload_and_verify(const Target& target, pg::Deadline deadline);
    Result<Target> live_target_locked(pg::Deadline deadline);
    Status admin_command(std::string_view sql, pg::Deadline deadline);
    [[nodiscard]] std::string pause_sql() const;
    [[nodiscard]] std::string resume_sql(config::PauseScope scope) const;
    [[nodiscard]] Error in_context(Error error, std::string_view what) const;

    config::Pooler config_;
    config::PauseScope scope_ = config::PauseScope::global;
    BouncerFacts facts_;
    Target ini_target_;
    std::vector<std::string> ini_databases_;  //!< every [databases] entry of the ini
    struct StagedIni {
        Target target;
        std::string based_on;  //!< the ini text it was made from
        std::unique_ptr<ini::Staged> file;
    };
    std::optional<StagedIni> staged_;
    std::optional<pg::Connection> pauser_;  //!< sends PAUSE, which may never be answered
    std::mutex spare_mutex_;                //!< the spare is shared with blocking_server_pids()
    std::optional<pg::Connection> spare_;   //!< RESUME, RELOAD, SHOW: free while PAUSE waits
};

}  // namespace pgflip::pooler
