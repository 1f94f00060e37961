#include "shadow/results.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

namespace pgflip::shadow {

namespace {

// Built-in type OIDs are the same on every server.
constexpr unsigned float4_oid = 700;
constexpr unsigned float8_oid = 701;
constexpr int float4_digits = 6;
constexpr int float8_digits = 12;

std::string columns_text(const std::vector<std::string>& columns) {
    std::string out = "columns (";
    for (size_t i = 0; i < columns.size(); ++i) out += (i > 0 ? ", " : "") + columns[i];
    return out + ")";
}

Comparison failures(const Outcome& blue, const Outcome& green) {
    if (blue.error && green.error) {
        const bool same = blue.error->sqlstate == green.error->sqlstate;
        return {same ? Verdict::both_failed : Verdict::errors_differ, blue.error->str(),
                green.error->str(), 0};
    }
    if (green.error) return {Verdict::failed_on_green, "no error", green.error->str(), 0};
    return {Verdict::failed_on_blue, blue.error->str(), "no error", 0};
}

//! Rows of `a` not in `b` (both sorted), counted, and the first of them.
std::pair<long long, const Row*> only_in(const std::vector<Row>& a, const std::vector<Row>& b) {
    std::vector<Row> diff;
    std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(diff));
    if (diff.empty()) return {0, nullptr};
    const auto it = std::lower_bound(a.begin(), a.end(), diff.front());
    return {static_cast<long long>(diff.size()), &*it};
}

Comparison compare_sets(std::vector<Row> blue, std::vector<Row> green) {
    std::sort(blue.begin(), blue.end());
    std::sort(green.begin(), green.end());
    if (blue == green) return {};
    auto [blue_only, first_blue] = only_in(blue, green);
    auto [green_only, first_green] = only_in(green, blue);
    return {Verdict::rows_differ, first_blue != nullptr ? row_text(*first_blue) : "(none missing)",
            first_green != nullptr ? row_text(*first_green) : "(none extra)",
            std::max(blue_only, green_only)};
}

Comparison compare_ordered(const std::vector<Row>& blue, const std::vector<Row>& green) {
    if (blue == green) return {};
    Comparison c = compare_sets(blue, green);
    if (c.verdict == Verdict::equal) {
        const auto at = std::mismatch(blue.begin(), blue.end(), green.begin(), green.end());
        return {
            Verdict::order_differs,
            "row " + std::to_string(at.first - blue.begin() + 1) + ": " + row_text(*at.first),
            "row " + std::to_string(at.second - green.begin() + 1) + ": " + row_text(*at.second),
            0};
    }
    return c;
}

}  // namespace

std::string round_float(const std::string& text, int digits) {
    char* end = nullptr;
    const double v = std::strtod(text.c_str(), &end);
    if (end == text.c_str() || *end != '\0' || text == "NaN" ||
        text.find("nfinity") != std::string::npos) {
        return text;
    }
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*g", digits, v);
    return buf;
}

ResultSet normalize(const pg::Rows& rows) {
    ResultSet out;
    std::vector<int> digits;
    for (int c = 0; c < rows.columns(); ++c) {
        out.columns.push_back(rows.column_name(c));
        const unsigned oid = rows.type_oid(c);
        digits.push_back(oid == float8_oid ? float8_digits : oid == float4_oid ? float4_digits : 0);
    }
    out.rows.reserve(static_cast<size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) {
        Row row;
        for (int c = 0; c < rows.columns(); ++c) {
            auto v = rows.opt(r, c);
            if (v && digits[static_cast<size_t>(c)] > 0)
                v = round_float(*v, digits[static_cast<size_t>(c)]);
            row.push_back(std::move(v));
        }
        out.rows.push_back(std::move(row));
    }
    return out;
}

std::string_view to_string(Verdict verdict) {
    switch (verdict) {
        case Verdict::equal:
            return "equal";
        case Verdict::both_failed:
            return "failed on both";
        case Verdict::rows_differ:
            return "rows differ";
        case Verdict::order_differs:
            return "row order differs";
        case Verdict::columns_differ:
            return "columns differ";
        case Verdict::failed_on_green:
            return "failed on green only";
        case Verdict::failed_on_blue:
            return "failed on blue only";
        case Verdict::errors_differ:
            break;
    }
    return "errors differ";
}

bool is_difference(Verdict verdict) {
    return verdict != Verdict::equal && verdict != Verdict::both_failed;
}

Comparison compare(const Outcome& blue, const Outcome& green, bool ordered) {
    if (blue.error || green.error) return failures(blue, green);
    if (blue.result->columns != green.result->columns) {
        return {Verdict::columns_differ, columns_text(blue.result->columns),
                columns_text(green.result->columns), 0};
    }
    return ordered ? compare_ordered(blue.result->rows, green.result->rows)
                   : compare_sets(blue.result->rows, green.result->rows);
}

std::string row_text(const Row& row) {
    std::string out = "(";
    for (size_t i = 0; i < row.size(); ++i) {
        if (i > 0) out += ", ";
        out += row[i] ? *row[i] : "NULL";
    }
    return out + ")";
}

}  // namespace pgflip::shadow
