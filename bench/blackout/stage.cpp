#include "stage.hpp"

#include <functional>
#include <thread>

#include "blackout_sql.hpp"

namespace pgflip::bench {

namespace {

constexpr milliseconds connect_timeout{10000};
constexpr milliseconds init_timeout{600000};
constexpr milliseconds poll_interval{100};
constexpr const char* tables =
    "pgbench_accounts, pgbench_branches, pgbench_tellers, pgbench_history";

Result<pg::Connection> connect_to(const std::string& conninfo, Side side) {
    auto info = pg::Conninfo::parse(conninfo, side);
    if (!info) return info.take_error();
    return pg::Connection::connect(*info, side, pg::after(connect_timeout));
}

Status exec(pg::Connection& conn, std::string_view sql) {
    auto rows = conn.query(sql);
    if (!rows) return rows.take_error();
    return {};
}

Status create_app_role(const lab::Cluster& cluster, Side side, const std::string& password) {
    auto conn = connect_to(cluster.conninfo(), side);
    if (!conn) return conn.take_error();
    // A utility statement takes no parameters: the password goes in as a libpq-quoted literal.
    return exec(*conn, std::string("CREATE ROLE ") + app_user + " LOGIN PASSWORD " +
                           conn->quote_literal(password));
}

//! Polls `done` until it says true, fails, or the deadline passes.
Status wait_for(const std::function<Result<bool>()>& done, pg::Deadline deadline,
                const std::string& what) {
    for (;;) {
        auto ok = done();
        if (!ok) return ok.take_error();
        if (*ok) return {};
        if (pg::Clock::now() >= deadline) {
            return make_error(Side::local, "timed out waiting for " + what);
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

//! A walsender lingers for a moment after its subscription is dropped: wait for it to let go.
Status drop_slot_when_released(pg::Connection& conn, const std::string& slot,
                               pg::Deadline deadline) {
    return wait_for(
        [&]() -> Result<bool> {
            auto rows = conn.query(sql::sql_slot_drop_inactive, {slot});
            if (!rows) return rows.take_error();
            return rows->empty();
        },
        deadline, "slot " + slot + " to be released and dropped");
}

Status subscribe(const Stage& stage, const std::string& dbname, Side publisher,
                 const ReplicationNames& names) {
    auto pub = stage.connect(publisher, dbname);
    if (!pub) return pub.take_error();
    auto exists =
        pub->query("SELECT 1 FROM pg_publication WHERE pubname = $1", {names.publication});
    if (!exists) return exists.take_error();
    if (exists->empty()) {
        PGFLIP_TRY(exec(
            *pub, "CREATE PUBLICATION " + pub->quote_ident(names.publication) + " FOR ALL TABLES"));
    }
    auto sub = stage.connect(other(publisher), dbname);
    if (!sub) return sub.take_error();
    PGFLIP_TRY(exec(*sub, "TRUNCATE " + std::string(tables)));
    return exec(*sub, "CREATE SUBSCRIPTION " + sub->quote_ident(names.subscription) +
                          " CONNECTION " + sub->quote_literal(stage.conninfo(publisher, dbname)) +
                          " PUBLICATION " + sub->quote_ident(names.publication) +
                          " WITH (slot_name = " + sub->quote_literal(names.slot) + ")");
}

Status wait_synced(const Stage& stage, const std::string& dbname, Side publisher,
                   const ReplicationNames& names, pg::Deadline deadline) {
    auto sub = stage.connect(other(publisher), dbname);
    if (!sub) return sub.take_error();
    PGFLIP_TRY(wait_for(
        [&]() -> Result<bool> {
            auto rows = sub->query(sql::sql_tables_not_ready, {names.subscription});
            if (!rows) return rows.take_error();
            return rows->num(0, 1) > 0 && rows->num(0, 0) == 0;
        },
        deadline, "every table of " + names.subscription + " to be ready"));
    auto pub = stage.connect(publisher, dbname);
    if (!pub) return pub.take_error();
    return wait_for(
        [&]() -> Result<bool> {
            auto rows = pub->query(sql::sql_slot_caught_up, {names.slot});
            if (!rows) return rows.take_error();
            return !rows->empty() && rows->boolean(0, 0);
        },
        deadline, "slot " + names.slot + " to catch up");
}

}  // namespace

Side other(Side side) {
    return side == Side::blue ? Side::green : Side::blue;
}

Result<Stage> Stage::start(const StageOptions& options) {
    auto blue = lab::Cluster::start({options.blue_major, options.dir / "blue", 0, {}, false});
    if (!blue) return blue.take_error();
    auto green = lab::Cluster::start({options.green_major, options.dir / "green", 0, {}, false});
    if (!green) return green.take_error();
    auto password = lab::random_password();
    PGFLIP_TRY(create_app_role(*blue, Side::blue, password));
    PGFLIP_TRY(create_app_role(*green, Side::green, password));
    return Stage(options, std::move(*blue), std::move(*green), std::move(password));
}

const lab::Cluster& Stage::cluster(Side side) const {
    return side == Side::blue ? blue_ : green_;
}

std::string Stage::conninfo(Side side, const std::string& dbname) const {
    return cluster(side).conninfo(dbname);
}

Result<pg::Connection> Stage::connect(Side side, const std::string& dbname) const {
    return connect_to(conninfo(side, dbname), side);
}

Status Stage::create_database(const std::string& dbname) {
    for (const Side side : {Side::blue, Side::green}) {
        auto admin = connect(side, "postgres");
        if (!admin) return admin.take_error();
        PGFLIP_TRY(exec(*admin, "CREATE DATABASE " + admin->quote_ident(dbname)));
        PGFLIP_TRY(init_side(side, dbname));
    }
    return {};
}

Status Stage::init_side(Side side, const std::string& dbname) {
    // Blue gets tables, data, vacuum and keys; green the same tables and keys, empty.
    const std::string steps = side == Side::blue ? "dtgvp" : "dtp";
    const Command init{
        {options_.pgbench.string(), "-i", "-q", "-s", std::to_string(options_.scale), "-I", steps,
         "-h", "127.0.0.1", "-p", std::to_string(port(side)), "-U", "postgres", dbname},
        {},
        options_.dir / ("pgbench-init-" + dbname + ".log"),
        {}};
    auto code = run(init, init_timeout);
    if (!code) return code.take_error();
    if (*code != 0) {
        return make_error(side, "pgbench -i failed (exit " + std::to_string(*code) + "), see " +
                                    init.output.string());
    }
    auto conn = connect(side, dbname);
    if (!conn) return conn.take_error();
    return exec(*conn, sql::sql_app_schema);
}

Result<lab::Bouncer> Stage::start_bouncer(const std::string& dbname, Side primary) const {
    lab::BouncerOptions options;
    options.dir = options_.dir / ("pgbouncer-" + dbname);
    options.databases[dbname] =
        "host=127.0.0.1 port=" + std::to_string(port(primary)) + " dbname=" + dbname;
    options.users[app_user] = password_;
    return lab::Bouncer::start(std::move(options));
}

Result<Side> Stage::served_by(const lab::Bouncer& bouncer, const std::string& dbname) const {
    auto conn = connect_to(bouncer.conninfo(dbname, app_user), Side::pooler);
    if (!conn) return conn.take_error();
    auto rows = conn->query("SELECT inet_server_port()");
    if (!rows) return rows.take_error();
    const auto served = rows->num(0, 0);
    if (served == port(Side::blue)) return Side::blue;
    if (served == port(Side::green)) return Side::green;
    return make_error(Side::pooler, "PgBouncer serves " + dbname + " from an unknown port " +
                                        std::to_string(served));
}

ReplicationNames ReplicationNames::from(const std::string& name) {
    return {name + "_pub", name + "_sub", name + "_slot"};
}

Status disarm(const Stage& stage, const std::string& dbname, Side side,
              const ReplicationNames& names, pg::Deadline deadline) {
    auto conn = stage.connect(side, dbname);
    if (!conn) return conn.take_error();
    auto found = conn->query(sql::sql_subscription_slot, {names.subscription});
    if (!found) return found.take_error();
    if (!found->empty()) {
        const auto sub = conn->quote_ident(names.subscription);
        PGFLIP_TRY(exec(*conn, "ALTER SUBSCRIPTION " + sub + " DISABLE"));
        PGFLIP_TRY(exec(*conn, "ALTER SUBSCRIPTION " + sub + " SET (slot_name = NONE)"));
        PGFLIP_TRY(exec(*conn, "DROP SUBSCRIPTION " + sub));
    }
    for (const Side each : {Side::blue, Side::green}) {
        auto c = stage.connect(each, dbname);
        if (!c) return c.take_error();
        PGFLIP_TRY(drop_slot_when_released(*c, names.slot, deadline));
    }
    return {};
}

Status arm_from_scratch(const Stage& stage, const std::string& dbname, Side publisher,
                        const ReplicationNames& names, milliseconds timeout) {
    const auto deadline = pg::after(timeout);
    PGFLIP_TRY(disarm(stage, dbname, other(publisher), names, deadline));
    PGFLIP_TRY(subscribe(stage, dbname, publisher, names));
    return wait_synced(stage, dbname, publisher, names, deadline);
}

Result<long long> history_rows(const Stage& stage, const std::string& dbname, Side side) {
    auto conn = stage.connect(side, dbname);
    if (!conn) return conn.take_error();
    auto rows = conn->query("SELECT count(*) FROM pgbench_history");
    if (!rows) return rows.take_error();
    return rows->num(0, 0);
}

}  // namespace pgflip::bench
