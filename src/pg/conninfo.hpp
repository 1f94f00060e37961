// Connection strings: parsed by libpq (URI or key=value), printed only with the password redacted.
#pragma once

#include <map>
#include <string>

#include "common/result.hpp"

namespace pgflip::pg {

//! A parsed connection string. The password is held apart and never part of any printable form.
class Conninfo {
  public:
    //! Parses a URI or key=value string with libpq's own parser.
    static Result<Conninfo> parse(std::string_view text, Side side = Side::none);

    //! The connection string for people and logs: password replaced by "********".
    [[nodiscard]] std::string redacted() const;
    //! The full string handed to libpq (contains the password): never print it.
    [[nodiscard]] std::string secret_string() const;

    [[nodiscard]] std::string get(const std::string& key, std::string fallback = {}) const;
    void set(const std::string& key, std::string value);
    [[nodiscard]] bool has_password() const { return !password_.empty(); }
    [[nodiscard]] const std::string& password() const { return password_; }

    [[nodiscard]] std::string host() const { return get("host", get("hostaddr", "localhost")); }
    [[nodiscard]] std::string port() const { return get("port", "5432"); }
    [[nodiscard]] std::string dbname() const;
    [[nodiscard]] std::string user() const;
    //! A copy pointing at another database.
    [[nodiscard]] Conninfo with_dbname(std::string dbname) const;
    [[nodiscard]] const std::map<std::string, std::string>& options() const { return opts_; }

  private:
    std::map<std::string, std::string> opts_;  //!< every option but the password
    std::string password_;
};

//! Removes any "password=..." or URI password that libpq put into a message.
[[nodiscard]] std::string redact_secrets(std::string text, const std::string& password = {});

}  // namespace pgflip::pg
