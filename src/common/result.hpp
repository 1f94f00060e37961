// Result<T>: expected failures as values. An Error names the side it came from (blue, green,
// pooler), the backend pid and SQLSTATE when a server reported it, and the fix when known.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pgflip {

//! Which part of the migration an error or finding belongs to.
enum class Side { none, blue, green, pooler, local };

[[nodiscard]] std::string_view to_string(Side side);

//! An expected failure. `message` is one line and never carries a secret.
struct Error {
    Side side = Side::none;
    std::string message;
    std::string sqlstate;  //!< five characters when a server reported the error
    int pid = 0;           //!< backend pid when known
    std::string fix;       //!< what the operator should do, when known

    //! "blue (pid 4242, SQLSTATE 42501): permission denied ... — fix: GRANT ..."
    [[nodiscard]] std::string str() const;
    //! True for SQLSTATE class 08 (connection exception) and for failures before a connection.
    [[nodiscard]] bool is_connection_error() const;
};

//! Builds an Error without a server behind it.
[[nodiscard]] Error make_error(Side side, std::string message, std::string fix = {});

//! Either a value or an Error; must be looked at.
template <class T>
class [[nodiscard]] Result {
  public:
    Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
    Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

    [[nodiscard]] bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const Error& error() const { return std::get<1>(v_); }
    Error&& take_error() { return std::get<1>(std::move(v_)); }

  private:
    std::variant<T, Error> v_;
};

//! Result<void>: success or an Error.
template <>
class [[nodiscard]] Result<void> {
  public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

    [[nodiscard]] bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }
    Error&& take_error() { return std::move(error_); }

  private:
    Error error_;
    bool ok_ = true;
};

using Status = Result<void>;

//! Spelled out where a failure is deliberately ignored, so such places can be found by search.
template <class T>
void ignore_failure(const Result<T>& /*result*/) {}

}  // namespace pgflip

//! Return the error of a Result from the enclosing function when it failed.
#define PGFLIP_TRY(expr)                                            \
    do {                                                            \
        auto pgflip_try_r_ = (expr);                                \
        if (!pgflip_try_r_.ok()) return pgflip_try_r_.take_error(); \
    } while (0)
