// What the rules share: the two servers as one value, queries under the check's deadline, rows
// read by column name, findings built in one line, and numbers rendered for people.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "check/check.hpp"
#include "pooler/admin.hpp"

namespace pgflip::check::rules {

//! One server as a rule sees it.
struct Server {
    Side side;
    pg::Connection& conn;
    const catalog::ServerInfo& info;

    [[nodiscard]] bool is_blue() const { return side == Side::blue; }
    [[nodiscard]] std::string name() const { return std::string(to_string(side)); }
};

[[nodiscard]] Server blue(Context& ctx);
[[nodiscard]] Server green(Context& ctx);
//! Blue, then green.
[[nodiscard]] std::array<Server, 2> both(Context& ctx);

//! Runs one statement on a server within the check's deadline.
Result<pg::Rows> query(Context& ctx, const Server& server, std::string_view sql,
                       const pg::Params& params = {});

//! The configured PgBouncers whose admin console is open (switch-command poolers have none).
[[nodiscard]] std::vector<PoolerHandle*> bouncers(Context& ctx);

//! The pooler's [databases] entries (SHOW DATABASES) but its admin console's.
Result<std::vector<pooler::DatabaseEntry>> pooler_entries(Context& ctx, PoolerHandle& p);

//! The pooler's SHOW CONFIG value for `key`, or "" when it has none.
Result<std::string> pooler_setting(Context& ctx, PoolerHandle& p, const std::string& key);

//! "pooler main (127.0.0.1:6432)" for objects and messages.
[[nodiscard]] std::string pooler_label(const PoolerHandle& p);

//! A row read by column name. A missing column is a bug in the query, so it throws.
class Row {
  public:
    Row(const pg::Rows& rows, int index) : rows_(rows), index_(index) {}
    [[nodiscard]] std::string str(std::string_view column) const;
    [[nodiscard]] long long num(std::string_view column) const;
    [[nodiscard]] bool flag(std::string_view column) const;
    [[nodiscard]] bool is_null(std::string_view column) const;

  private:
    [[nodiscard]] int col(std::string_view column) const;
    const pg::Rows& rows_;
    int index_;
};

//! A JSON array of strings from a query (json_agg of quoted names), as a vector.
[[nodiscard]] std::vector<std::string> json_strings(std::string_view json_array);

//! Every row of a result, in order.
[[nodiscard]] std::vector<Row> rows_of(const pg::Rows& rows);

//! A conninfo for a shell command line: single-quoted, without the password (libpq finds it in
//! ~/.pgpass or PGPASSWORD when the command runs).
[[nodiscard]] std::string shell_conninfo(const std::string& conninfo);

//! A finding of the running rule (run_all fills in the rule id).
[[nodiscard]] Finding finding(Severity severity, Side side, std::string object,
                              std::string explanation, std::string fix = {});

//! "1.5 GB", "312 kB", "17 bytes".
[[nodiscard]] std::string human_bytes(long long bytes);
//! "850 ms", "12 s", "3 min 20 s", "2 h 5 min".
[[nodiscard]] std::string human_duration(long long ms);
//! "1 table" / "3 tables".
[[nodiscard]] std::string count_of(long long n, std::string_view singular, std::string_view plural);
//! Joins with a separator.
[[nodiscard]] std::string join(const std::vector<std::string>& items, std::string_view sep);
//! At most `limit` items joined with ", ", then "and N more".
[[nodiscard]] std::string join_some(const std::vector<std::string>& items, size_t limit);

}  // namespace pgflip::check::rules
