#include "pg/connection.hpp"

#include <libpq-fe.h>
#include <poll.h>

#include <cstdlib>
#include <cstring>
#include <utility>

namespace pgflip::pg {

namespace {

std::string trim(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
    return s;
}

//! The first line of a libpq message: enough for one-line errors.
std::string first_line(const std::string& s) {
    auto nl = s.find('\n');
    return trim(nl == std::string::npos ? s : s.substr(0, nl));
}

int remaining_ms(Deadline deadline) {
    auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return 0;
    return left > 1000000 ? 1000000 : static_cast<int>(left);
}

//! What an operator should do about a failure to connect, judged from libpq's message.
std::string connect_fix(const std::string& msg, const Conninfo& info) {
    auto has = [&](const char* needle) { return msg.find(needle) != std::string::npos; };
    std::string where = info.host() + ":" + info.port();
    if (has("password authentication failed") || has("no password supplied")) {
        return "check the password of role \"" + info.user() +
               "\" (in ~/.pgpass, PGPASSFILE or PGPASSWORD; never in pgflip.toml)";
    }
    if (has("Connection refused") || has("could not connect") || has("timeout expired")) {
        return "is a server listening on " + where + "? check host and port in the conninfo";
    }
    if (has("does not exist") && has("database")) {
        return "create database \"" + info.dbname() + "\" or fix dbname in the conninfo";
    }
    if (has("does not exist") && has("role")) return "create the role or fix user in the conninfo";
    if (has("no pg_hba.conf entry")) {
        return "add a pg_hba.conf entry for this client, user and database, then reload";
    }
    if (has("could not translate host name")) return "fix the host name in the conninfo";
    return {};
}

void quiet_notices(void* /*arg*/, const char* /*message*/) {}

}  // namespace

// ---- Rows -------------------------------------------------------------------------------------

Rows::Rows(pg_result* res) : res_(res) {}
Rows::Rows(Rows&& other) noexcept : res_(std::exchange(other.res_, nullptr)) {}
Rows& Rows::operator=(Rows&& other) noexcept {
    if (this != &other) {
        if (res_ != nullptr) PQclear(res_);
        res_ = std::exchange(other.res_, nullptr);
    }
    return *this;
}
Rows::~Rows() {
    if (res_ != nullptr) PQclear(res_);
}

int Rows::size() const {
    return res_ == nullptr ? 0 : PQntuples(res_);
}
int Rows::columns() const {
    return res_ == nullptr ? 0 : PQnfields(res_);
}
std::string Rows::column_name(int col) const {
    return PQfname(res_, col);
}
int Rows::column(std::string_view name) const {
    for (int c = 0; c < columns(); ++c) {
        if (name == PQfname(res_, c)) return c;
    }
    return -1;
}
unsigned Rows::type_oid(int col) const {
    return PQftype(res_, col);
}
bool Rows::is_null(int row, int col) const {
    return PQgetisnull(res_, row, col) != 0;
}
std::string_view Rows::get(int row, int col) const {
    return {PQgetvalue(res_, row, col), static_cast<size_t>(PQgetlength(res_, row, col))};
}
std::optional<std::string> Rows::opt(int row, int col) const {
    if (is_null(row, col)) return std::nullopt;
    return str(row, col);
}
long long Rows::num(int row, int col) const {
    return is_null(row, col) ? 0 : std::strtoll(PQgetvalue(res_, row, col), nullptr, 10);
}
bool Rows::boolean(int row, int col) const {
    return !is_null(row, col) && get(row, col) == "t";
}
long long Rows::affected() const {
    const char* n = res_ == nullptr ? "" : PQcmdTuples(res_);
    return *n == '\0' ? 0 : std::strtoll(n, nullptr, 10);
}

// ---- Connection -------------------------------------------------------------------------------

Connection::Connection(pg_conn* conn, Conninfo info, Side side)
    : conn_(conn), info_(std::move(info)), side_(side) {}
Connection::Connection(Connection&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)),
      info_(std::move(other.info_)),
      side_(other.side_) {}
Connection& Connection::operator=(Connection&& other) noexcept {
    if (this != &other) {
        if (conn_ != nullptr) PQfinish(conn_);
        conn_ = std::exchange(other.conn_, nullptr);
        info_ = std::move(other.info_);
        side_ = other.side_;
    }
    return *this;
}
Connection::~Connection() {
    if (conn_ != nullptr) PQfinish(conn_);
}

Result<Connection> Connection::connect(const Conninfo& info, Side side, Deadline deadline,
                                       bool replication) {
    std::vector<std::string> keys;
    std::vector<std::string> vals;
    for (const auto& [k, v] : info.options()) {
        if (k == "client_encoding") continue;  // always UTF8, below
        keys.push_back(k);
        vals.push_back(v);
    }
    // Names and text reach pgflip's JSON (state, journal, reports) and go back into SQL: every
    // session speaks UTF8, whatever the database's encoding (the server converts both ways).
    keys.emplace_back("client_encoding");
    vals.emplace_back("UTF8");
    if (info.has_password()) {
        keys.emplace_back("password");
        vals.push_back(info.password());
    }
    if (info.options().count("application_name") == 0) {
        keys.emplace_back("application_name");
        vals.emplace_back("pgflip");
    }
    if (replication) {
        keys.emplace_back("replication");
        vals.emplace_back("database");
    }
    std::vector<const char*> k;
    std::vector<const char*> v;
    for (size_t i = 0; i < keys.size(); ++i) {
        k.push_back(keys[i].c_str());
        v.push_back(vals[i].c_str());
    }
    k.push_back(nullptr);
    v.push_back(nullptr);

    Connection c(PQconnectStartParams(k.data(), v.data(), 0), info, side);
    if (c.conn_ == nullptr) return make_error(side, "out of memory creating a connection");
    if (PQstatus(c.conn_) == CONNECTION_BAD) return c.connection_error("could not connect");
    PostgresPollingStatusType st = PGRES_POLLING_WRITING;
    while (st != PGRES_POLLING_OK) {
        if (st == PGRES_POLLING_FAILED) return c.connection_error("could not connect");
        if (Status w = c.wait_socket(st == PGRES_POLLING_WRITING, deadline); !w.ok()) {
            Error e = w.take_error();
            e.message = "could not connect to " + info.host() + ":" + info.port() +
                        ": no answer before the deadline";
            e.fix = "is the server up and reachable? check host, port and firewalls";
            return e;
        }
        st = PQconnectPoll(c.conn_);
    }
    PQsetNoticeProcessor(c.conn_, quiet_notices, nullptr);
    if (PQsetnonblocking(c.conn_, 1) != 0) return c.connection_error("could not go non-blocking");
    return c;
}

Error Connection::connection_error(std::string_view what) const {
    std::string msg = conn_ != nullptr ? first_line(PQerrorMessage(conn_)) : "";
    msg = redact_secrets(msg, info_.password());
    Error e = make_error(side_, std::string(what) + (msg.empty() ? "" : ": " + msg),
                         connect_fix(msg, info_));
    e.sqlstate = "08006";
    if (conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK) e.pid = PQbackendPID(conn_);
    return e;
}

Error Connection::error_from(pg_result* res) const {
    auto field = [&](int code) {
        const char* v = PQresultErrorField(res, code);
        return std::string(v != nullptr ? v : "");
    };
    Error e;
    e.side = side_;
    e.pid = backend_pid();
    e.sqlstate = field(PG_DIAG_SQLSTATE);
    e.message = field(PG_DIAG_MESSAGE_PRIMARY);
    if (e.message.empty()) e.message = first_line(PQresultErrorMessage(res));
    if (e.message.empty()) e.message = first_line(PQerrorMessage(conn_));
    std::string detail = field(PG_DIAG_MESSAGE_DETAIL);
    if (!detail.empty()) e.message += " (" + first_line(detail) + ")";
    e.message = redact_secrets(e.message, info_.password());
    e.fix = first_line(field(PG_DIAG_MESSAGE_HINT));
    return e;
}

Status Connection::wait_socket(bool for_write, Deadline deadline) {
    int fd = PQsocket(conn_);
    if (fd < 0) return connection_error("connection lost");
    pollfd p{fd, static_cast<short>(for_write ? POLLOUT : POLLIN), 0};
    for (;;) {
        int ms = remaining_ms(deadline);
        if (ms == 0) {
            Error e = make_error(side_, "timed out", "raise the timeout or look at what blocks");
            e.sqlstate = "57014";
            e.pid = backend_pid();
            return e;
        }
        int rc = ::poll(&p, 1, ms);
        if (rc > 0) return {};
        if (rc < 0 && errno != EINTR) return connection_error("poll failed");
    }
}

Status Connection::send_and_wait(bool sent, Deadline deadline) {
    if (!sent) return connection_error("could not send the query");
    for (;;) {
        int f = PQflush(conn_);
        if (f == 0) return {};
        if (f < 0) return connection_error("could not send the query");
        if (Status w = wait_socket(true, deadline); !w.ok()) return w;
    }
}

Result<Rows> Connection::collect(Deadline deadline, std::string_view sql) {
    std::optional<Error> first_error;
    Rows last;
    bool timed_out = false;
    for (;;) {
        while (PQisBusy(conn_) != 0) {
            Status w = wait_socket(false, timed_out ? after(milliseconds(5000)) : deadline);
            if (!w.ok()) {
                if (timed_out) return connection_error("no answer after cancel");
                timed_out = true;
                cancel();
                continue;
            }
            if (PQconsumeInput(conn_) == 0) return connection_error("connection lost");
        }
        pg_result* res = PQgetResult(conn_);
        if (res == nullptr) break;
        ExecStatusType st = PQresultStatus(res);
        if (st == PGRES_COPY_OUT || st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
            return Rows(res);  // the caller streams the COPY
        }
        if (st == PGRES_FATAL_ERROR || st == PGRES_NONFATAL_ERROR || st == PGRES_BAD_RESPONSE) {
            if (!first_error) first_error = error_from(res);
            PQclear(res);
            continue;
        }
        last = Rows(res);
    }
    if (timed_out) {
        Error e = first_error.value_or(make_error(side_, "cancelled"));
        e.sqlstate = "57014";
        e.message = "statement timed out and was cancelled: " +
                    std::string(sql.substr(0, std::min<size_t>(sql.size(), 60)));
        e.fix = "raise the deadline or find what blocks it (pg_stat_activity)";
        return e;
    }
    if (first_error) return *first_error;
    if (PQstatus(conn_) == CONNECTION_BAD) return connection_error("connection lost");
    return last;
}

Result<Rows> Connection::query(std::string_view sql, const Params& params, Deadline deadline) {
    std::string text(sql);
    std::vector<const char*> values;
    values.reserve(params.size());
    for (const auto& p : params) values.push_back(p ? p->c_str() : nullptr);
    bool sent = PQsendQueryParams(conn_, text.c_str(), static_cast<int>(values.size()), nullptr,
                                  values.data(), nullptr, nullptr, 0) == 1;
    PGFLIP_TRY(send_and_wait(sent, deadline));
    return collect(deadline, sql);
}

Result<Rows> Connection::query(std::string_view sql, Deadline deadline) {
    std::string text(sql);
    PGFLIP_TRY(send_and_wait(PQsendQuery(conn_, text.c_str()) == 1, deadline));
    return collect(deadline, sql);
}

Rows Connection::query_or_throw(std::string_view sql, const Params& params) {
    auto r = params.empty() ? query(sql) : query(sql, params);
    if (!r.ok()) throw std::runtime_error(r.error().str());
    return std::move(r).value();
}

Status Connection::copy_out(std::string_view sql, const std::function<bool(std::string_view)>& sink,
                            Deadline deadline) {
    std::string text(sql);
    PGFLIP_TRY(send_and_wait(PQsendQuery(conn_, text.c_str()) == 1, deadline));
    auto started = collect(deadline, sql);
    if (!started.ok()) return started.take_error();
    bool stopped = false;
    for (;;) {
        char* buf = nullptr;
        int n = PQgetCopyData(conn_, &buf, 1);
        if (n > 0) {
            bool more = stopped || sink(std::string_view(buf, static_cast<size_t>(n)));
            PQfreemem(buf);
            if (!more && !stopped) {
                stopped = true;
                cancel();
            }
            continue;
        }
        if (n == -1) break;
        if (n == -2) return connection_error("COPY failed");
        if (Status w = wait_socket(false, deadline); !w.ok()) {
            cancel();
            return w;
        }
        if (PQconsumeInput(conn_) == 0) return connection_error("connection lost during COPY");
    }
    auto done = collect(deadline, sql);
    if (!done.ok() && !stopped) return done.take_error();
    return {};
}

Status Connection::begin_copy_in(std::string_view sql, Deadline deadline) {
    std::string text(sql);
    PGFLIP_TRY(send_and_wait(PQsendQuery(conn_, text.c_str()) == 1, deadline));
    auto started = collect(deadline, sql);
    if (!started.ok()) return started.take_error();
    return {};
}

Status Connection::put_copy_data(std::string_view data, Deadline deadline) {
    for (;;) {
        int rc = PQputCopyData(conn_, data.data(), static_cast<int>(data.size()));
        if (rc == 1) break;
        if (rc < 0) return connection_error("COPY send failed");
        PGFLIP_TRY(wait_socket(true, deadline));
    }
    return send_and_wait(true, deadline);
}

Result<long long> Connection::end_copy(Deadline deadline) {
    for (;;) {
        int rc = PQputCopyEnd(conn_, nullptr);
        if (rc == 1) break;
        if (rc < 0) return connection_error("COPY end failed");
        PGFLIP_TRY(wait_socket(true, deadline));
    }
    PGFLIP_TRY(send_and_wait(true, deadline));
    auto done = collect(deadline, "COPY");
    if (!done.ok()) return done.take_error();
    return done->affected();
}

bool Connection::cancel() {
    if (conn_ == nullptr) return false;
    PGcancel* c = PQgetCancel(conn_);
    if (c == nullptr) return false;
    char err[256];
    bool ok = PQcancel(c, err, sizeof err) == 1;
    PQfreeCancel(c);
    return ok;
}

int Connection::backend_pid() const {
    return conn_ == nullptr ? 0 : PQbackendPID(conn_);
}
int Connection::server_version() const {
    return conn_ == nullptr ? 0 : PQserverVersion(conn_);
}
bool Connection::is_ok() const {
    return conn_ != nullptr && PQstatus(conn_) == CONNECTION_OK;
}

bool Connection::still_open() {
    if (!is_ok()) return false;
    return PQconsumeInput(conn_) == 1 && is_ok();
}

std::string Connection::quote_ident(std::string_view name) const {
    char* q = PQescapeIdentifier(conn_, name.data(), name.size());
    if (q == nullptr) throw std::runtime_error("PQescapeIdentifier failed");
    std::string out(q);
    PQfreemem(q);
    return out;
}

std::string Connection::quote_literal(std::string_view value) const {
    char* q = PQescapeLiteral(conn_, value.data(), value.size());
    if (q == nullptr) throw std::runtime_error("PQescapeLiteral failed");
    std::string out(q);
    PQfreemem(q);
    return out;
}

}  // namespace pgflip::pg
