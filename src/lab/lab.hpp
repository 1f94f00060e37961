// The lab: real PostgreSQL clusters (any installed major version) and real PgBouncer instances on
// free loopback ports, for tests, benches and `pgflip sandbox`. Servers run as an unprivileged
// user (PostgreSQL and PgBouncer refuse root): when pgflip runs as root they run as "pgflip".
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.hpp"

namespace pgflip::lab {

namespace fs = std::filesystem;

//! Where the npm PostgreSQL builds live: $PGFLIP_LAB_DIR, else /opt/pgflip-lab.
[[nodiscard]] fs::path lab_dir();
//! The bin directory holding initdb/pg_ctl/postgres for a major version, if installed.
[[nodiscard]] std::optional<fs::path> pg_bindir(int major);
//! Majors installed here, ascending.
[[nodiscard]] std::vector<int> installed_majors();
//! A TCP port on 127.0.0.1 that is free right now; 0 when the system has none to give.
[[nodiscard]] int free_port();
//! True when something accepts TCP connections on 127.0.0.1:port.
[[nodiscard]] bool port_accepts(int port);

struct ClusterOptions {
    int major = 16;
    fs::path dir;  //!< where the data directory goes; empty: a fresh temporary directory
    int port = 0;  //!< 0: a free port
    //! Extra postgresql.conf settings (logical replication settings are always on).
    std::map<std::string, std::string> settings;
    bool durable = false;  //!< fsync on; off by default for speed
};

//! A running PostgreSQL cluster. Superuser "postgres" connects over 127.0.0.1 without a
//! password; every other role authenticates with scram-sha-256.
class Cluster {
  public:
    //! initdb into a new directory, configure, start; refuses a directory that holds data.
    static Result<Cluster> start(ClusterOptions options);
    //! Reattaches to a cluster whose data directory already exists (sandbox status/down).
    //! The result is not owned: its destructor leaves the server running; stop() stops it.
    static Result<Cluster> attach(const fs::path& dir);
    Cluster(Cluster&&) noexcept;
    Cluster& operator=(Cluster&&) noexcept;
    Cluster(const Cluster&) = delete;
    ~Cluster();  //!< stops the server (fast mode) unless release() was called

    Status stop();
    Status restart();  //!< stops when running, then starts (also for a stopped attached one)
    void release() { owned_ = false; }  //!< leave it running (and its directory) past this object

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] int major() const { return major_; }
    [[nodiscard]] std::chrono::milliseconds initdb_time() const { return initdb_time_; }
    [[nodiscard]] std::chrono::milliseconds start_time() const { return start_time_; }
    [[nodiscard]] const fs::path& dir() const { return dir_; }
    [[nodiscard]] fs::path data_dir() const { return dir_ / "data"; }
    [[nodiscard]] fs::path log_file() const { return dir_ / "postgres.log"; }
    //! key=value conninfo for a database (user postgres by default).
    [[nodiscard]] std::string conninfo(const std::string& dbname = "postgres",
                                       const std::string& user = "postgres") const;
    [[nodiscard]] bool running() const;

  private:
    Cluster() = default;
    Status initdb(const ClusterOptions& options);
    Status start_on_free_port(const ClusterOptions& options);
    Status start_server();

    fs::path dir_;
    int port_ = 0;
    int major_ = 0;
    bool owned_ = false;
    bool remove_dir_ = false;  //!< we made the directory, so the destructor removes it
    std::chrono::milliseconds initdb_time_{0};
    std::chrono::milliseconds start_time_{0};
};

struct BouncerOptions {
    fs::path dir;  //!< where ini, userlist, log, pid go; empty: a fresh temporary directory
    int port = 0;
    std::string pool_mode = "transaction";
    //! [databases] entries: name -> "host=127.0.0.1 port=N dbname=X"
    std::map<std::string, std::string> databases;
    //! users for auth_file: name -> password (plain); "postgres" is always an admin user.
    std::map<std::string, std::string> users;
    std::string auth_type = "trust";
    int server_login_retry = 1;
    int max_client_conn = 200;
    int default_pool_size = 20;
    int query_wait_timeout = 120;
    std::map<std::string, std::string> extra;  //!< more [pgbouncer] settings
};

//! A running PgBouncer (daemonized, pid in pgbouncer.pid). Admin console: dbname=pgbouncer
//! user=postgres. The ini path stays fixed, so the ini can be rewritten and RELOADed.
class Bouncer {
  public:
    static Result<Bouncer> start(BouncerOptions options);
    //! Reattaches to a bouncer started earlier in `dir`; not owned (see Cluster::attach).
    static Result<Bouncer> attach(const fs::path& dir);
    Bouncer(Bouncer&&) noexcept;
    Bouncer& operator=(Bouncer&&) noexcept;
    Bouncer(const Bouncer&) = delete;
    ~Bouncer();

    Status stop();  //!< SIGTERM (immediate shutdown), then waits for the process to end
    void release() { owned_ = false; }

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] int pid() const { return pid_; }
    [[nodiscard]] std::chrono::milliseconds start_time() const { return start_time_; }
    [[nodiscard]] const fs::path& dir() const { return dir_; }
    [[nodiscard]] fs::path ini() const { return dir_ / "pgbouncer.ini"; }
    [[nodiscard]] std::string admin_conninfo() const;
    [[nodiscard]] std::string conninfo(const std::string& dbname,
                                       const std::string& user = "postgres") const;
    [[nodiscard]] bool running() const;

  private:
    Bouncer() = default;
    Status start_on_free_port(const BouncerOptions& options);
    Status start_daemon(std::uintmax_t log_start);

    fs::path dir_;
    int port_ = 0;
    int pid_ = 0;
    bool owned_ = false;
    bool remove_dir_ = false;
    std::chrono::milliseconds start_time_{0};
};

//! Runs a program (argv[0] a path), as the server user when we are root; waits for it.
//! Returns its exit code; stdout+stderr go to `log` when given.
Result<int> run_as_server_user(const std::vector<std::string>& argv,
                               const std::optional<fs::path>& log = std::nullopt);

//! The uid/gid servers run as: ours when not root, else the "pgflip" user's (created with
//! useradd when missing, as scripts/install-deps.sh would).
Result<std::pair<unsigned, unsigned>> server_user_ids();

//! A fresh password for a lab role: 24 characters that need no quoting in a conninfo, without
//! look-alikes (l, o, I, O, 0, 1).
[[nodiscard]] std::string random_password();

}  // namespace pgflip::lab
