// A real PostgreSQL cluster on a free loopback port: initdb, logical-replication-ready settings,
// pg_ctl start/stop, all as the server user. Metadata in the directory lets attach() come back.
#include <string>
#include <utility>

#include "lab/detail.hpp"
#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

constexpr int start_attempts = 3;  // a free port can be taken before the server binds it
constexpr const char* meta_name = "cluster.meta";
constexpr const char* conf_name = "pgflip.conf";
constexpr const char* pg_ctl_timeout_s = "60";

Error lab_error(std::string message, std::string fix = {}) {
    return make_error(Side::local, std::move(message), std::move(fix));
}

std::string version_name(int major) {
    return "PostgreSQL " + std::to_string(major);
}

Result<fs::path> bindir_for(int major) {
    if (auto bindir = pg_bindir(major)) return *bindir;
    return lab_error(version_name(major) + " is not installed",
                     "run scripts/install-deps.sh (npm builds go to " + lab_dir().string() + ")");
}

//! postgres trusted on loopback (tests and pgflip as superuser), every other role by password.
std::string hba_conf() {
    return "# Written by pgflip's lab.\n"
           "local all         all                 trust\n"
           "local replication all                 trust\n"
           "host  all         postgres 127.0.0.1/32 trust\n"
           "host  replication postgres 127.0.0.1/32 trust\n"
           "host  all         all      127.0.0.1/32 scram-sha-256\n"
           "host  replication all      127.0.0.1/32 scram-sha-256\n";
}

std::map<std::string, std::string> server_settings(const ClusterOptions& options,
                                                   const fs::path& dir, int port) {
    const char* durable = options.durable ? "on" : "off";
    std::map<std::string, std::string> settings = {
        {"listen_addresses", "127.0.0.1"},
        {"port", std::to_string(port)},
        {"unix_socket_directories", detail::socket_dir_fits(dir) ? dir.string() : ""},
        {"wal_level", "logical"},
        {"max_replication_slots", "20"},
        {"max_wal_senders", "20"},
        {"max_logical_replication_workers", "8"},
        {"max_worker_processes", "16"},
        {"wal_receiver_status_interval", "1"},
        {"wal_retrieve_retry_interval", "250ms"},
        {"fsync", durable},
        {"full_page_writes", durable},
        // On even without fsync: with it off, walsenders wait up to wal_writer_delay for WAL.
        {"synchronous_commit", "on"},
        {"shared_buffers", "128MB"},
        {"max_connections", "200"},
        {"logging_collector", "off"},
    };
    for (const auto& [key, value] : options.settings) settings[key] = value;
    return settings;
}

std::string render_conf(const std::map<std::string, std::string>& settings) {
    std::string text = "# Written by pgflip's lab on every start; ALTER SYSTEM still wins.\n";
    for (const auto& [key, value] : settings) {
        std::string quoted;
        for (const char c : value) quoted += c == '\'' ? std::string("''") : std::string(1, c);
        text += key + " = '" + quoted + "'\n";
    }
    return text;
}

Status write_config(const ClusterOptions& options, const fs::path& dir, int port) {
    const auto settings = server_settings(options, dir, port);
    PGFLIP_TRY(detail::write_file(dir / "data" / conf_name, render_conf(settings), 0600));
    return detail::write_meta(dir / meta_name, {{"major", std::to_string(options.major)},
                                                {"port", std::to_string(port)}});
}

}  // namespace

Result<Cluster> Cluster::start(ClusterOptions options) {
    auto bindir = bindir_for(options.major);
    if (!bindir) return bindir.take_error();
    auto prepared =
        detail::prepare_dir(options.dir, "pgflip-pg" + std::to_string(options.major) + "-");
    if (!prepared) return prepared.take_error();
    Cluster cluster;
    cluster.dir_ = prepared->first;
    cluster.remove_dir_ = prepared->second;
    cluster.major_ = options.major;
    cluster.owned_ = true;  // from here a failure stops what started and removes a temp dir
    PGFLIP_TRY(cluster.initdb(options));
    PGFLIP_TRY(cluster.start_on_free_port(options));
    return cluster;
}

Status Cluster::initdb(const ClusterOptions& options) {
    std::error_code ec;
    if (fs::exists(data_dir() / "PG_VERSION", ec)) {
        return lab_error(dir_.string() + " already holds a data directory",
                         "use Cluster::attach for an existing cluster, or remove the directory");
    }
    auto bindir = bindir_for(major_);
    if (!bindir) return bindir.take_error();
    std::vector<std::string> argv = {(*bindir / "initdb").string(),
                                     "-D",
                                     data_dir().string(),
                                     "-U",
                                     "postgres",
                                     "--auth-local=trust",
                                     "--auth-host=scram-sha-256",
                                     "-E",
                                     "UTF8",
                                     "--locale=C.UTF-8"};
    if (!options.durable) argv.emplace_back("--no-sync");
    const auto began = detail::Clock::now();
    const fs::path log = dir_ / "initdb.log";
    auto code = run_as_server_user(argv, log);
    if (!code) return code.take_error();
    if (*code != 0) {
        return lab_error("initdb for " + version_name(major_) + " failed (exit " +
                             std::to_string(*code) + "): " + detail::log_tail(log),
                         "the server user must be able to create " + data_dir().string());
    }
    initdb_time_ = detail::elapsed_since(began);
    PGFLIP_TRY(detail::write_file(data_dir() / "pg_hba.conf", hba_conf(), 0600));
    return detail::append_file(data_dir() / "postgresql.conf",
                               std::string("\ninclude '") + conf_name + "'\n");
}

Status Cluster::start_on_free_port(const ClusterOptions& options) {
    for (int attempt = 1;; ++attempt) {
        port_ = options.port != 0 ? options.port : free_port();
        if (port_ == 0) return lab_error("no free TCP port on 127.0.0.1");
        PGFLIP_TRY(write_config(options, dir_, port_));
        const auto log_start = detail::log_size(log_file());
        auto started = start_server();
        const bool retry = !started.ok() && options.port == 0 && attempt < start_attempts &&
                           detail::log_says_port_in_use(log_file(), log_start);
        if (!retry) return started;
    }
}

Status Cluster::start_server() {
    auto bindir = bindir_for(major_);
    if (!bindir) return bindir.take_error();
    const auto began = detail::Clock::now();
    auto code = run_as_server_user({(*bindir / "pg_ctl").string(), "-D", data_dir().string(), "-l",
                                    log_file().string(), "-w", "-t", pg_ctl_timeout_s, "start"},
                                   dir_ / "pg_ctl.log");
    if (!code) return code.take_error();
    if (*code != 0) {
        return lab_error(version_name(major_) + " did not start on port " + std::to_string(port_) +
                         ": " + detail::log_tail(log_file()));
    }
    start_time_ = detail::elapsed_since(began);
    return {};
}

Result<Cluster> Cluster::attach(const fs::path& dir) {
    const fs::path path = dir / meta_name;
    auto meta = detail::read_meta(path);
    if (!meta) return meta.take_error();
    auto major = detail::meta_int(*meta, "major", path);
    if (!major) return major.take_error();
    auto port = detail::meta_int(*meta, "port", path);
    if (!port) return port.take_error();
    Cluster cluster;
    cluster.dir_ = fs::absolute(dir);
    cluster.major_ = *major;
    cluster.port_ = *port;
    return cluster;
}

Cluster::Cluster(Cluster&& other) noexcept
    : dir_(std::move(other.dir_)),
      port_(other.port_),
      major_(other.major_),
      owned_(std::exchange(other.owned_, false)),
      remove_dir_(std::exchange(other.remove_dir_, false)),
      initdb_time_(other.initdb_time_),
      start_time_(other.start_time_) {}

Cluster& Cluster::operator=(Cluster&& other) noexcept {
    if (this == &other) return *this;
    Cluster previous(std::move(*this));  // stops what this held, at the end of the scope
    dir_ = std::move(other.dir_);
    port_ = other.port_;
    major_ = other.major_;
    owned_ = std::exchange(other.owned_, false);
    remove_dir_ = std::exchange(other.remove_dir_, false);
    initdb_time_ = other.initdb_time_;
    start_time_ = other.start_time_;
    return *this;
}

Cluster::~Cluster() {
    if (!owned_) return;
    ignore_failure(stop());
    if (!remove_dir_) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

Status Cluster::stop() {
    if (!running()) return {};
    auto bindir = bindir_for(major_);
    if (!bindir) return bindir.take_error();
    auto code = run_as_server_user({(*bindir / "pg_ctl").string(), "-D", data_dir().string(), "-m",
                                    "fast", "-w", "-t", pg_ctl_timeout_s, "stop"},
                                   dir_ / "pg_ctl.log");
    if (!code) return code.take_error();
    if (*code != 0) {
        return lab_error(version_name(major_) + " on port " + std::to_string(port_) +
                         " did not stop: " + detail::log_tail(log_file()));
    }
    return {};
}

Status Cluster::restart() {
    PGFLIP_TRY(stop());
    return start_server();
}

std::string Cluster::conninfo(const std::string& dbname, const std::string& user) const {
    return detail::loopback_conninfo(port_, dbname, user);
}

bool Cluster::running() const {
    return detail::process_alive(detail::read_pid_file(data_dir() / "postmaster.pid"));
}

}  // namespace pgflip::lab
