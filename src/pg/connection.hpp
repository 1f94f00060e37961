// The only owner of libpq handles. Every call has a deadline (non-blocking libpq + poll); on
// expiry the running query is cancelled. Errors carry side, backend pid and SQLSTATE.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.hpp"
#include "pg/conninfo.hpp"

struct pg_conn;
struct pg_result;

namespace pgflip::pg {

using Clock = std::chrono::steady_clock;
using Deadline = Clock::time_point;
using std::chrono::milliseconds;

//! A deadline `ms` from now.
[[nodiscard]] inline Deadline after(milliseconds ms) {
    return Clock::now() + ms;
}
//! The deadline used where the caller gave none: generous, but never infinite.
[[nodiscard]] inline Deadline default_deadline() {
    return after(milliseconds(60000));
}

//! Query parameters in text form; std::nullopt is SQL NULL.
using Params = std::vector<std::optional<std::string>>;

//! The rows of a finished query (owns the PGresult).
class Rows {
  public:
    Rows() = default;
    explicit Rows(pg_result* res);
    Rows(Rows&&) noexcept;
    Rows& operator=(Rows&&) noexcept;
    Rows(const Rows&) = delete;
    Rows& operator=(const Rows&) = delete;
    ~Rows();

    [[nodiscard]] int size() const;  //!< number of rows
    [[nodiscard]] bool empty() const { return size() == 0; }
    [[nodiscard]] int columns() const;
    [[nodiscard]] std::string column_name(int col) const;
    [[nodiscard]] int column(std::string_view name) const;  //!< -1 when absent
    [[nodiscard]] unsigned type_oid(int col) const;         //!< the column's type OID
    [[nodiscard]] bool is_null(int row, int col) const;
    [[nodiscard]] std::string_view get(int row, int col) const;  //!< "" for NULL
    [[nodiscard]] std::string str(int row, int col) const { return std::string(get(row, col)); }
    [[nodiscard]] std::optional<std::string> opt(int row, int col) const;
    [[nodiscard]] long long num(int row, int col) const;  //!< integer value, 0 for NULL
    [[nodiscard]] bool boolean(int row, int col) const;   //!< 't' is true
    //! Number of rows affected by the command (INSERT/UPDATE/DELETE), 0 otherwise.
    [[nodiscard]] long long affected() const;

  private:
    pg_result* res_ = nullptr;
};

//! A client connection to blue, green or a pooler's admin console.
class Connection {
  public:
    Connection(Connection&&) noexcept;
    Connection& operator=(Connection&&) noexcept;
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    //! Connects within the deadline. `replication` adds replication=database.
    static Result<Connection> connect(const Conninfo& info, Side side, Deadline deadline,
                                      bool replication = false);

    //! One statement through the extended protocol with parameters.
    Result<Rows> query(std::string_view sql, const Params& params, Deadline deadline);
    //! Simple query protocol (several statements allowed; the last result is returned).
    //! The only protocol PgBouncer's admin console speaks.
    Result<Rows> query(std::string_view sql, Deadline deadline);
    Result<Rows> query(std::string_view sql) { return query(sql, default_deadline()); }
    Result<Rows> query(std::string_view sql, const Params& params) {
        return query(sql, params, default_deadline());
    }
    //! Throwing twins, for code where a failure is a bug (tests, benches).
    Rows query_or_throw(std::string_view sql, const Params& params = {});

    //! Streams `COPY ... TO STDOUT`; `sink` gets each chunk and returns false to stop.
    Status copy_out(std::string_view sql, const std::function<bool(std::string_view)>& sink,
                    Deadline deadline);
    //! Starts `COPY ... FROM STDIN`; then put_copy_data repeatedly and end_copy.
    Status begin_copy_in(std::string_view sql, Deadline deadline);
    Status put_copy_data(std::string_view data, Deadline deadline);
    Result<long long> end_copy(Deadline deadline);  //!< rows copied

    //! Cancels the statement running on this connection (safe from another thread).
    bool cancel();

    [[nodiscard]] Side side() const { return side_; }
    [[nodiscard]] int backend_pid() const;
    [[nodiscard]] int server_version() const;  //!< e.g. 160004; 0 for PgBouncer
    [[nodiscard]] bool is_ok() const;          //!< connection still usable
    //! Reads whatever the server sent an idle connection (a FATAL before it closed, end of
    //! file) and then says whether the connection is still open; is_ok() alone cannot see a
    //! server that ended an idle session.
    [[nodiscard]] bool still_open();
    [[nodiscard]] const Conninfo& info() const { return info_; }

    //! Quoting with libpq, for the few places where SQL text must carry a name or literal.
    [[nodiscard]] std::string quote_ident(std::string_view name) const;
    [[nodiscard]] std::string quote_literal(std::string_view value) const;

  private:
    Connection(pg_conn* conn, Conninfo info, Side side);
    Status send_and_wait(bool sent, Deadline deadline);
    Result<Rows> collect(Deadline deadline, std::string_view sql);
    Error error_from(pg_result* res) const;
    Error connection_error(std::string_view what) const;
    Status wait_socket(bool for_write, Deadline deadline);

    pg_conn* conn_ = nullptr;
    Conninfo info_;
    Side side_ = Side::none;
};

}  // namespace pgflip::pg
