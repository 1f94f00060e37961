#include "sandbox/sandbox.hpp"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

#include "common/pg_tools.hpp"
#include "common/process.hpp"
#include "lab/lab.hpp"
#include "pg/connection.hpp"
#include "sql/queries.hpp"

namespace pgflip::sandbox {

namespace {

constexpr const char* kDatabase = "app";
constexpr const char* kAppRole = "app";

fs::path meta_path(const fs::path& dir) {
    return dir / "sandbox.json";
}

Result<pg::Connection> connect(const std::string& conninfo) {
    auto info = pg::Conninfo::parse(conninfo, Side::local);
    if (!info.ok()) return info.take_error();
    return pg::Connection::connect(*info, Side::local, pg::after(pg::milliseconds(10000)));
}

Status run_sql(pg::Connection& conn, std::string_view sql) {
    auto r = conn.query(sql, pg::after(pg::milliseconds(300000)));
    if (!r.ok()) return r.take_error();
    return {};
}

//! The application role and database on one cluster; the demo schema and data where `seed`.
Status prepare_cluster(const lab::Cluster& cluster, const std::string& password, bool seed) {
    auto admin = connect(cluster.conninfo());
    if (!admin.ok()) return admin.take_error();
    PGFLIP_TRY(run_sql(*admin, sql::sandbox_demo_roles));
    // A utility statement takes no parameters: the password goes in as a libpq-quoted literal.
    PGFLIP_TRY(run_sql(*admin, "ALTER ROLE app PASSWORD " + admin->quote_literal(password)));
    PGFLIP_TRY(run_sql(*admin, "CREATE DATABASE app"));
    if (!seed) return {};
    auto app = connect(cluster.conninfo(kDatabase));
    if (!app.ok()) return app.take_error();
    return run_sql(*app, sql::sandbox_demo_schema);
}

std::string toml_string(const std::string& s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

Status write_file(const fs::path& path, const std::string& text, mode_t mode = 0644) {
    std::ofstream out(path, std::ios::trunc);
    out << text;
    out.close();
    if (!out) return make_error(Side::local, "cannot write " + path.string());
    ::chmod(path.c_str(), mode);
    return {};
}

Status write_config(const fs::path& dir, const Description& d, const lab::Bouncer& bouncer) {
    std::string text =
        "# Written by `pgflip sandbox up`: blue, green and one PgBouncer on this machine.\n"
        "name = \"sandbox\"\n"
        "state_dir = " +
        toml_string(fs::absolute(dir / "state").string()) +
        "\n"
        "app_roles = [\"app\"]\n\n"
        "[blue]\nconninfo = " +
        toml_string(d.blue) +
        "\n\n"
        "[green]\nconninfo = " +
        toml_string(d.green) +
        "\n\n"
        "[cutover]\nbudget_ms = 5000\ndrain_timeout_ms = 2000\ndrain_policy = \"abort\"\n\n"
        "[[pooler]]\nname = \"pgbouncer\"\nkind = \"pgbouncer\"\n"
        "admin = " +
        toml_string(d.pooler_admin) +
        "\n"
        "ini = " +
        toml_string(fs::absolute(bouncer.ini()).string()) +
        "\n"
        "database = \"app\"\n"
        "client = " +
        toml_string(d.app_through_pooler) + "\n";
    return write_file(dir / "pgflip.toml", text);
}

//! pgbench through the pooler at `o.load_rate` for a day, reporting every 10 s.
std::vector<std::string> load_argv(const std::string& pgbench, const fs::path& dir,
                                   const lab::Bouncer& bouncer, const Options& o) {
    const std::string port = std::to_string(bouncer.port());
    const std::string clients = std::to_string(o.load_clients);
    const std::string rate = std::to_string(o.load_rate);
    return {pgbench,  "-n",
            "-M",     "simple",
            "-h",     "127.0.0.1",
            "-p",     port,
            "-U",     kAppRole,
            "-c",     clients,
            "-j",     "1",
            "-R",     rate,
            "-T",     "86400",
            "-P",     "10",
            "-f",     (dir / "load.sql").string(),
            kDatabase};
}

//! Starts pgbench in a session of its own that outlives us (`down` stops it); its pid goes to
//! load.pid, its output to load.log.
Status start_load(const fs::path& dir, const lab::Bouncer& bouncer, const Options& o) {
    auto pgbench = find_pg_tool("pgbench");
    if (!pgbench) {
        return make_error(Side::local, "pgbench not found",
                          "run scripts/install-deps.sh (Debian package postgresql-client-15)");
    }
    PGFLIP_TRY(write_file(dir / "load.sql", std::string(sql::sandbox_demo_load)));
    PGFLIP_TRY(write_file(dir / "load.log", ""));
    ProcessSpec spec;
    spec.argv = load_argv(pgbench->path, dir, bouncer, o);
    spec.out = Output::appended_to(dir / "load.log");
    spec.err = Output::with_stdout();
    spec.own_session = true;  // no terminal's signals; `down` signals the whole group
    auto child = Child::spawn(spec);
    if (!child) return child.take_error();
    const int pid = child->release();
    return write_file(dir / "load.pid", std::to_string(pid) + "\n");
}

int read_pid(const fs::path& file) {
    std::ifstream in(file);
    int pid = 0;
    in >> pid;
    return pid;
}

void stop_load(const fs::path& dir) {
    int pid = read_pid(dir / "load.pid");
    if (!process_alive(pid)) return;
    ::kill(-pid, SIGINT);
    for (int i = 0; i < 50 && process_alive(pid); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (process_alive(pid)) ::kill(-pid, SIGKILL);
}

Description describe(const lab::Cluster& blue, const lab::Cluster& green,
                     const lab::Bouncer& bouncer, const fs::path& dir) {
    Description d;
    d.blue = blue.conninfo(kDatabase);
    d.green = green.conninfo(kDatabase);
    d.pooler_admin = bouncer.admin_conninfo();
    d.app_through_pooler = bouncer.conninfo(kDatabase, kAppRole);
    d.config = fs::absolute(dir / "pgflip.toml");
    d.blue_major = blue.major();
    d.green_major = green.major();
    d.blue_running = blue.running();
    d.green_running = green.running();
    d.pooler_running = bouncer.running();
    d.load_running = process_alive(read_pid(dir / "load.pid"));
    return d;
}

Result<Description> start_all(const Options& o) {
    std::string password = lab::random_password();
    auto blue = lab::Cluster::start({o.blue_major, o.dir / "blue", 0, {}, false});
    if (!blue.ok()) return blue.take_error();
    auto green = lab::Cluster::start({o.green_major, o.dir / "green", 0, {}, false});
    if (!green.ok()) return green.take_error();
    PGFLIP_TRY(prepare_cluster(*blue, password, true));
    PGFLIP_TRY(prepare_cluster(*green, password, false));

    lab::BouncerOptions bo;
    bo.dir = o.dir / "pgbouncer";
    bo.databases[kDatabase] =
        "host=127.0.0.1 port=" + std::to_string(blue->port()) + " dbname=" + kDatabase;
    bo.users[kAppRole] = password;
    auto bouncer = lab::Bouncer::start(bo);
    if (!bouncer.ok()) return bouncer.take_error();

    Description d = describe(*blue, *green, *bouncer, o.dir);
    PGFLIP_TRY(write_config(o.dir, d, *bouncer));
    nlohmann::json meta = {{"blue", "blue"}, {"green", "green"}, {"pgbouncer", "pgbouncer"}};
    PGFLIP_TRY(write_file(meta_path(o.dir), meta.dump(2) + "\n"));
    if (o.load_clients > 0) PGFLIP_TRY(start_load(o.dir, *bouncer, o));
    d.load_running = o.load_clients > 0;
    blue->release();
    green->release();
    bouncer->release();
    return d;
}

}  // namespace

Result<Description> up(const Options& options) {
    if (fs::exists(meta_path(options.dir))) {
        auto current = sandbox::status(options.dir);
        if (current.ok() && current->blue_running && current->green_running &&
            current->pooler_running) {
            return current;
        }
        return make_error(
            Side::local, "a sandbox exists in " + options.dir.string() + " but is not running",
            "run `pgflip sandbox down --dir " + options.dir.string() + "` first, then up again");
    }
    std::error_code ec;
    fs::create_directories(options.dir, ec);
    auto d = start_all(options);
    if (!d.ok()) ignore_failure(down(options.dir));  // leave nothing half-started behind
    return d;
}

Result<Description> status(const fs::path& dir) {
    if (!fs::exists(meta_path(dir))) {
        return make_error(Side::local, "no sandbox in " + dir.string(),
                          "start one with `pgflip sandbox up --dir " + dir.string() + "`");
    }
    auto blue = lab::Cluster::attach(dir / "blue");
    if (!blue.ok()) return blue.take_error();
    auto green = lab::Cluster::attach(dir / "green");
    if (!green.ok()) return green.take_error();
    auto bouncer = lab::Bouncer::attach(dir / "pgbouncer");
    if (!bouncer.ok()) return bouncer.take_error();
    return describe(*blue, *green, *bouncer, dir);
}

Status down(const fs::path& dir) {
    stop_load(dir);
    if (auto b = lab::Bouncer::attach(dir / "pgbouncer"); b.ok()) ignore_failure(b->stop());
    for (const char* side : {"blue", "green"}) {
        if (auto c = lab::Cluster::attach(dir / side); c.ok()) ignore_failure(c->stop());
    }
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec) return make_error(Side::local, "cannot remove " + dir.string() + ": " + ec.message());
    return {};
}

}  // namespace pgflip::sandbox
