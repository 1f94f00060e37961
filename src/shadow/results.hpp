// One execution's results on blue and green, normalized and compared. Normalizing removes only
// what is noise: the row order of a query without a top-level ORDER BY, and the last digits of
// floating-point values (sums and averages depend on the order rows were added in, which a
// parallel plan changes). Everything else, including numeric scale and the text of dates, is
// compared as the server wrote it, because that is what the application receives.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "pg/connection.hpp"

namespace pgflip::shadow {

using Row = std::vector<std::optional<std::string>>;

struct ResultSet {
    std::vector<std::string> columns;
    std::vector<Row> rows;
};

//! What one side returned for one execution.
struct Outcome {
    std::optional<ResultSet> result;  //!< absent when it failed
    std::optional<Error> error;
};

//! The result of `rows`, with float4/float8 columns rounded to 6/12 significant digits.
[[nodiscard]] ResultSet normalize(const pg::Rows& rows);
//! One float's text rounded to `digits` significant digits; NaN and infinities unchanged.
[[nodiscard]] std::string round_float(const std::string& text, int digits);

enum class Verdict {
    equal,
    both_failed,  //!< the same SQLSTATE on both sides: not a difference
    rows_differ,
    order_differs,    //!< the same rows in another order under a top-level ORDER BY
    columns_differ,   //!< other column names or count
    failed_on_green,  //!< blue answered, green raised an error
    failed_on_blue,
    errors_differ  //!< both failed, with different SQLSTATEs
};

[[nodiscard]] std::string_view to_string(Verdict verdict);
[[nodiscard]] bool is_difference(Verdict verdict);

struct Comparison {
    Verdict verdict = Verdict::equal;
    std::string blue;   //!< the first differing row on blue, the error, or the columns
    std::string green;  //!< the same on green
    long long differing_rows = 0;
};

//! Compares two outcomes; `ordered` when the statement orders its rows completely.
[[nodiscard]] Comparison compare(const Outcome& blue, const Outcome& green, bool ordered);

//! "(1, abc, NULL)": a row for people.
[[nodiscard]] std::string row_text(const Row& row);

}  // namespace pgflip::shadow
