// A real PgBouncer on a free loopback port, daemonized as the server user. Its ini lives at a
// fixed path in its directory so pooler code can rewrite it and RELOAD through the console.
#include <csignal>
#include <cstring>
#include <string>
#include <utility>

#include "lab/detail.hpp"
#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

using std::chrono::milliseconds;

constexpr int start_attempts = 3;  // a free port can be taken before pgbouncer binds it
constexpr milliseconds start_timeout{10000};
constexpr milliseconds stop_timeout{10000};
constexpr milliseconds kill_timeout{2000};
constexpr const char* meta_name = "bouncer.meta";
constexpr const char* admin_user = "postgres";

Error lab_error(std::string message, std::string fix = {}) {
    return make_error(Side::local, std::move(message), std::move(fix));
}

fs::path pid_path(const fs::path& dir) {
    return dir / "pgbouncer.pid";
}
fs::path log_path(const fs::path& dir) {
    return dir / "pgbouncer.log";
}
fs::path userlist_path(const fs::path& dir) {
    return dir / "userlist.txt";
}

Result<fs::path> pgbouncer_binary() {
    for (const char* path : {"/usr/sbin/pgbouncer", "/usr/bin/pgbouncer"}) {
        std::error_code ec;
        if (fs::is_regular_file(path, ec)) return fs::path(path);
    }
    return lab_error("pgbouncer is not installed", "run scripts/install-deps.sh");
}

//! `"name"` with embedded double quotes doubled, as auth_file wants.
std::string dq(const std::string& text) {
    std::string out = "\"";
    for (const char c : text) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

std::string render_userlist(std::map<std::string, std::string> users) {
    users.try_emplace(admin_user, "");
    std::string text;
    for (const auto& [user, password] : users) text += dq(user) + " " + dq(password) + "\n";
    return text;
}

std::map<std::string, std::string> bouncer_settings(const BouncerOptions& options,
                                                    const fs::path& dir, int port) {
    std::map<std::string, std::string> settings = {
        {"listen_addr", "127.0.0.1"},
        {"listen_port", std::to_string(port)},
        // TCP only: with a Unix socket too, PgBouncer 1.18 whose port is taken only warns
        // ("cannot listen on 127.0.0.1:N") and runs on, on the socket nobody uses; a failed
        // start would leave it behind. Without one it exits ("nowhere to listen on").
        {"unix_socket_dir", ""},
        {"auth_type", options.auth_type},
        {"auth_file", userlist_path(dir).string()},
        {"admin_users", admin_user},
        {"stats_users", admin_user},
        {"pool_mode", options.pool_mode},
        {"server_login_retry", std::to_string(options.server_login_retry)},
        {"max_client_conn", std::to_string(options.max_client_conn)},
        {"default_pool_size", std::to_string(options.default_pool_size)},
        {"query_wait_timeout", std::to_string(options.query_wait_timeout)},
        {"ignore_startup_parameters", "extra_float_digits,options"},
        {"logfile", log_path(dir).string()},
        {"pidfile", pid_path(dir).string()},
    };
    for (const auto& [key, value] : options.extra) settings[key] = value;
    return settings;
}

std::string render_ini(const BouncerOptions& options, const fs::path& dir, int port) {
    std::string text = "; Written by pgflip's lab.\n[databases]\n";
    for (const auto& [name, target] : options.databases) text += name + " = " + target + "\n";
    text += "\n[pgbouncer]\n";
    for (const auto& [key, value] : bouncer_settings(options, dir, port)) {
        text += key + " = " + value + "\n";
    }
    return text;
}

// With -d, pgbouncer daemonizes before it binds: whether it got the port, and not some other
// server already there, shows only in its log.
bool listening(const std::string& log, int port) {
    return log.find("listening on 127.0.0.1:" + std::to_string(port) + "\n") != std::string::npos;
}

bool failed(const std::string& log, int port) {
    return log.find(" FATAL ") != std::string::npos ||
           log.find("cannot listen on 127.0.0.1:" + std::to_string(port)) != std::string::npos;
}

}  // namespace

Result<Bouncer> Bouncer::start(BouncerOptions options) {
    auto prepared = detail::prepare_dir(options.dir, "pgflip-pgb-");
    if (!prepared) return prepared.take_error();
    Bouncer bouncer;
    bouncer.dir_ = prepared->first;
    bouncer.remove_dir_ = prepared->second;
    bouncer.owned_ = true;  // from here a failure stops what started and removes a temp dir
    PGFLIP_TRY(
        detail::write_file(userlist_path(bouncer.dir_), render_userlist(options.users), 0600));
    PGFLIP_TRY(bouncer.start_on_free_port(options));
    return bouncer;
}

Status Bouncer::start_on_free_port(const BouncerOptions& options) {
    for (int attempt = 1;; ++attempt) {
        port_ = options.port != 0 ? options.port : free_port();
        if (port_ == 0) return lab_error("no free TCP port on 127.0.0.1");
        PGFLIP_TRY(detail::write_file(ini(), render_ini(options, dir_, port_)));
        PGFLIP_TRY(detail::write_meta(dir_ / meta_name, {{"port", std::to_string(port_)}}));
        const auto log_start = detail::log_size(log_path(dir_));
        auto started = start_daemon(log_start);
        const bool retry = !started.ok() && options.port == 0 && attempt < start_attempts &&
                           detail::log_says_port_in_use(log_path(dir_), log_start);
        if (!retry) return started;
    }
}

Status Bouncer::start_daemon(std::uintmax_t log_start) {
    auto binary = pgbouncer_binary();
    if (!binary) return binary.take_error();
    const auto began = detail::Clock::now();
    auto code =
        run_as_server_user({binary->string(), "-d", ini().string()}, dir_ / "pgbouncer.out");
    if (!code) return code.take_error();
    if (*code != 0) {
        return lab_error("PgBouncer refused its configuration: " +
                         detail::log_tail(dir_ / "pgbouncer.out", 3));
    }
    bool up = false;
    detail::wait_until(
        [&] {
            const auto log = detail::log_since(log_path(dir_), log_start);
            pid_ = detail::read_pid_file(pid_path(dir_));
            up = detail::process_alive(pid_) && listening(log, port_);
            return up || failed(log, port_);
        },
        start_timeout);
    if (!up) {
        return lab_error("PgBouncer did not start on port " + std::to_string(port_) + ": " +
                         detail::log_tail(log_path(dir_)));
    }
    start_time_ = detail::elapsed_since(began);
    return {};
}

Result<Bouncer> Bouncer::attach(const fs::path& dir) {
    const fs::path path = dir / meta_name;
    auto meta = detail::read_meta(path);
    if (!meta) return meta.take_error();
    auto port = detail::meta_int(*meta, "port", path);
    if (!port) return port.take_error();
    Bouncer bouncer;
    bouncer.dir_ = fs::absolute(dir);
    bouncer.port_ = *port;
    bouncer.pid_ = detail::read_pid_file(pid_path(bouncer.dir_));
    return bouncer;
}

Bouncer::Bouncer(Bouncer&& other) noexcept
    : dir_(std::move(other.dir_)),
      port_(other.port_),
      pid_(other.pid_),
      owned_(std::exchange(other.owned_, false)),
      remove_dir_(std::exchange(other.remove_dir_, false)),
      start_time_(other.start_time_) {}

Bouncer& Bouncer::operator=(Bouncer&& other) noexcept {
    if (this == &other) return *this;
    Bouncer previous(std::move(*this));  // stops what this held, at the end of the scope
    dir_ = std::move(other.dir_);
    port_ = other.port_;
    pid_ = other.pid_;
    owned_ = std::exchange(other.owned_, false);
    remove_dir_ = std::exchange(other.remove_dir_, false);
    start_time_ = other.start_time_;
    return *this;
}

Bouncer::~Bouncer() {
    if (!owned_) return;
    ignore_failure(stop());
    if (!remove_dir_) return;
    std::error_code ec;
    fs::remove_all(dir_, ec);
}

Status Bouncer::stop() {
    if (pid_ == 0) pid_ = detail::read_pid_file(pid_path(dir_));
    if (!detail::process_alive(pid_)) {
        pid_ = 0;
        return {};
    }
    const auto gone = [this] { return !detail::process_alive(pid_); };
    // 1.18: SIGTERM is an immediate shutdown (SIGINT would wait for clients).
    if (::kill(pid_, SIGTERM) == 0 && detail::wait_until(gone, stop_timeout)) {
        pid_ = 0;
        return {};
    }
    ::kill(pid_, SIGKILL);
    if (!detail::wait_until(gone, kill_timeout)) {
        return lab_error("PgBouncer (pid " + std::to_string(pid_) + ") did not exit");
    }
    pid_ = 0;
    return {};
}

std::string Bouncer::admin_conninfo() const {
    return detail::loopback_conninfo(port_, "pgbouncer", admin_user);
}

std::string Bouncer::conninfo(const std::string& dbname, const std::string& user) const {
    return detail::loopback_conninfo(port_, dbname, user);
}

bool Bouncer::running() const {
    const int pid = pid_ != 0 ? pid_ : detail::read_pid_file(pid_path(dir_));
    return detail::process_alive(pid);
}

}  // namespace pgflip::lab
