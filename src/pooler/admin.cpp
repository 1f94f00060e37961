#include "pooler/admin.hpp"

#include <cstdlib>

namespace pgflip::pooler {

Result<pg::Connection> connect_admin(const config::Pooler& pooler, pg::Deadline deadline) {
    auto info = pg::Conninfo::parse(pooler.admin, Side::pooler);
    if (!info.ok()) return info.take_error();
    auto conn = pg::Connection::connect(*info, Side::pooler, deadline);
    if (!conn.ok()) {
        Error e = conn.take_error();
        e.message =
            "pooler " + pooler.name + " admin console (" + info->redacted() + "): " + e.message;
        if (e.fix.empty() || e.message.find("not allowed") != std::string::npos) {
            e.fix = "connect as a user listed in admin_users of pgbouncer.ini, to dbname=pgbouncer";
        }
        return e;
    }
    auto version = conn->query("SHOW VERSION", deadline);
    if (!version.ok()) {
        Error e = version.take_error();
        e.message = "pooler " + pooler.name + " admin console refused SHOW VERSION: " + e.message;
        e.fix = "list this user in admin_users (not only stats_users) of pgbouncer.ini";
        return e;
    }
    return conn;
}

Result<std::map<std::string, std::string>> show_config(pg::Connection& admin,
                                                       pg::Deadline deadline) {
    auto rows = admin.query("SHOW CONFIG", deadline);
    if (!rows.ok()) return rows.take_error();
    std::map<std::string, std::string> out;
    int key = rows->column("key");
    int value = rows->column("value");
    for (int r = 0; r < rows->size(); ++r) out[rows->str(r, key)] = rows->str(r, value);
    return out;
}

Result<std::vector<DatabaseEntry>> show_databases(pg::Connection& admin, pg::Deadline deadline) {
    auto rows = admin.query("SHOW DATABASES", deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<DatabaseEntry> out;
    auto col = [&](const char* n) { return rows->column(n); };
    for (int r = 0; r < rows->size(); ++r) {
        DatabaseEntry d;
        d.name = rows->str(r, col("name"));
        d.host = rows->str(r, col("host"));
        d.port = rows->str(r, col("port"));
        d.database = rows->str(r, col("database"));
        if (col("pool_mode") >= 0) d.pool_mode = rows->str(r, col("pool_mode"));
        if (col("paused") >= 0) d.paused = rows->get(r, col("paused")) == "1";
        if (col("disabled") >= 0) d.disabled = rows->get(r, col("disabled")) == "1";
        out.push_back(std::move(d));
    }
    return out;
}

Result<std::vector<ServerEntry>> show_servers(pg::Connection& admin, pg::Deadline deadline) {
    auto rows = admin.query("SHOW SERVERS", deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<ServerEntry> out;
    auto text = [&](int r, const char* name) {
        int c = rows->column(name);
        return c < 0 ? std::string() : rows->str(r, c);
    };
    for (int r = 0; r < rows->size(); ++r) {
        ServerEntry s;
        s.user = text(r, "user");
        s.database = text(r, "database");
        s.state = text(r, "state");
        s.addr = text(r, "addr");
        s.port = text(r, "port");
        s.local_addr = text(r, "local_addr");
        s.local_port = text(r, "local_port");
        s.application_name = text(r, "application_name");
        s.remote_pid = std::atoi(text(r, "remote_pid").c_str());
        out.push_back(std::move(s));
    }
    return out;
}

Result<std::map<std::string, std::string>> show_user_pool_modes(pg::Connection& admin,
                                                                pg::Deadline deadline) {
    auto rows = admin.query("SHOW USERS", deadline);
    if (!rows.ok()) return rows.take_error();
    std::map<std::string, std::string> out;
    int name = rows->column("name");
    int mode = rows->column("pool_mode");
    if (name < 0) return out;
    for (int r = 0; r < rows->size(); ++r)
        out[rows->str(r, name)] = mode < 0 ? "" : rows->str(r, mode);
    return out;
}

}  // namespace pgflip::pooler
