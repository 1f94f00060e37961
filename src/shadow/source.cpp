#include "shadow/source.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

#include "shadow/lexer.hpp"
#include "shadow/statement.hpp"

namespace pgflip::shadow {

namespace {

// csvlog columns (the same from PostgreSQL 13 to 18; later ones are appended).
constexpr size_t csv_database = 2;
constexpr size_t csv_severity = 11;
constexpr size_t csv_message = 13;
constexpr size_t csv_detail = 14;
constexpr size_t csv_min_fields = 23;

bool starts_with_nocase(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() && lower(text.substr(0, prefix.size())) == prefix;
}

void skip_spaces(std::string_view s, size_t& p) {
    while (p < s.size() && std::isspace(static_cast<unsigned char>(s[p])) != 0) ++p;
}

//! A '...' value with doubled quotes from s[p] (the quote); nullopt when unterminated.
std::optional<std::string> quoted_value(std::string_view s, size_t& p) {
    std::string out;
    for (++p; p < s.size(); ++p) {
        if (s[p] != '\'') {
            out += s[p];
        } else if (p + 1 < s.size() && s[p + 1] == '\'') {
            out += '\'';
            ++p;
        } else {
            ++p;
            return out;
        }
    }
    return std::nullopt;
}

//! The SQL of a LOG message that records a statement, or nullopt ("parse", "bind", others).
std::optional<std::string> statement_of(std::string_view message, bool& is_execute) {
    if (starts_with_nocase(message, "duration: ")) {
        const size_t gap = message.find("  ");
        if (gap == std::string_view::npos) return std::nullopt;
        message.remove_prefix(gap + 2);
    }
    is_execute = starts_with_nocase(message, "execute ");
    if (starts_with_nocase(message, "statement: ")) return std::string(message.substr(11));
    if (!is_execute) return std::nullopt;
    const size_t colon = message.find(": ");
    if (colon == std::string_view::npos) return std::nullopt;
    return std::string(message.substr(colon + 2));
}

//! The parameters of a DETAIL message "parameters: $1 = ...", when it is one.
std::optional<pg::Params> parameters_of(std::string_view detail) {
    if (!starts_with_nocase(detail, "parameters: ")) return std::nullopt;
    return parse_parameters(detail.substr(12));
}

//! Where the message of a stderr log line starts after its severity ("LOG:  "), and which one.
std::optional<std::pair<std::string, size_t>> severity_of(std::string_view line) {
    static const char* const severities[] = {"LOG",     "DETAIL",   "ERROR",  "STATEMENT", "HINT",
                                             "CONTEXT", "WARNING",  "NOTICE", "FATAL",     "PANIC",
                                             "INFO",    "LOCATION", "DEBUG1", "DEBUG2",    "DEBUG3",
                                             "DEBUG4",  "DEBUG5"};
    std::optional<std::pair<std::string, size_t>> best;
    for (const char* sev : severities) {
        const std::string marker = std::string(sev) + ":  ";
        const size_t at = line.find(marker);
        if (at == std::string_view::npos || (best && best->second <= at)) continue;
        best = std::make_pair(std::string(sev), at);
    }
    if (best) best->second += best->first.size() + 3;
    return best;
}

//! A log entry: its first line and the tab-indented lines continuing it.
struct Entry {
    std::string text;
    int line = 0;
};

std::vector<Entry> stderr_entries(std::string_view text) {
    std::vector<Entry> out;
    size_t pos = 0;
    int number = 0;
    while (pos < text.size()) {
        size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        std::string_view line = text.substr(pos, nl - pos);
        ++number;
        if (!line.empty() && line[0] == '\t' && !out.empty()) {
            out.back().text += "\n" + std::string(line.substr(1));
        } else {
            out.push_back({std::string(line), number});
        }
        pos = nl + 1;
    }
    return out;
}

//! One CSV record from text[pos]; advances pos past its newline.
std::vector<std::string> csv_record(std::string_view text, size_t& pos) {
    std::vector<std::string> fields(1);
    bool quoted = false;
    for (; pos < text.size(); ++pos) {
        const char c = text[pos];
        if (quoted && c == '"' && pos + 1 < text.size() && text[pos + 1] == '"') {
            fields.back() += '"';
            ++pos;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == ',' && !quoted) {
            fields.emplace_back();
        } else if (c == '\n' && !quoted) {
            ++pos;
            break;
        } else {
            fields.back() += c;
        }
    }
    return fields;
}

}  // namespace

std::optional<pg::Params> parse_parameters(std::string_view text) {
    pg::Params params;
    size_t p = 0;
    for (skip_spaces(text, p); p < text.size(); skip_spaces(text, p)) {
        if (text[p] != '$') return std::nullopt;
        size_t digits = ++p;
        while (p < text.size() && std::isdigit(static_cast<unsigned char>(text[p])) != 0) ++p;
        if (p == digits) return std::nullopt;
        const auto n =
            static_cast<size_t>(std::stoul(std::string(text.substr(digits, p - digits))));
        skip_spaces(text, p);
        if (p >= text.size() || text[p++] != '=') return std::nullopt;
        skip_spaces(text, p);
        std::optional<std::string> value;
        if (text.substr(p, 4) == "NULL") {
            p += 4;
        } else if (p < text.size() && text[p] == '\'') {
            value = quoted_value(text, p);
            if (!value) return std::nullopt;
        } else {
            return std::nullopt;
        }
        if (n == 0 || n > 65535) return std::nullopt;
        if (params.size() < n) params.resize(n);
        params[n - 1] = std::move(value);
        skip_spaces(text, p);
        if (p < text.size() && text[p] == ',') ++p;
    }
    return params;
}

std::string format_parameters(const pg::Params& params) {
    std::string out;
    for (size_t i = 0; i < params.size(); ++i) {
        if (i > 0) out += ", ";
        out += "$" + std::to_string(i + 1) + " = ";
        if (!params[i]) {
            out += "NULL";
            continue;
        }
        out += '\'';
        for (char c : *params[i]) out += c == '\'' ? std::string("''") : std::string(1, c);
        out += '\'';
    }
    return out;
}

Result<std::vector<Execution>> parse_queries(std::string_view text, const std::string& name) {
    std::vector<Execution> out;
    for (const SplitStatement& st : split_statements(text)) {
        const std::string origin = name + ":" + std::to_string(st.line);
        size_t before = out.size();
        for (const std::string& comment : st.trailing_comments) {
            std::string_view body = std::string_view(comment).substr(2);  // after --
            size_t p = 0;
            skip_spaces(body, p);
            body.remove_prefix(p);
            if (!starts_with_nocase(body, "parameters:")) continue;
            auto params = parse_parameters(body.substr(11));
            if (!params) {
                return make_error(Side::local, origin + ": unreadable parameters: " + comment,
                                  "write -- parameters: $1 = 'value', $2 = NULL");
            }
            out.push_back({st.sql, std::move(*params), origin});
        }
        if (out.size() == before) out.push_back({st.sql, {}, origin});
    }
    return out;
}

std::vector<Execution> parse_stderr_log(std::string_view text, const std::string& name) {
    std::vector<Execution> out;
    bool last_was_execute = false;
    for (const Entry& entry : stderr_entries(text)) {
        auto severity = severity_of(entry.text);
        const bool was_execute = last_was_execute;
        last_was_execute = false;
        if (!severity) continue;
        std::string_view message = std::string_view(entry.text).substr(severity->second);
        if (severity->first == "DETAIL" && was_execute) {
            if (auto params = parameters_of(message)) out.back().params = std::move(*params);
            continue;
        }
        if (severity->first != "LOG") continue;
        bool is_execute = false;
        auto sql = statement_of(message, is_execute);
        if (!sql) continue;
        out.push_back({std::move(*sql), {}, name + ":" + std::to_string(entry.line)});
        last_was_execute = is_execute;
    }
    return out;
}

bool looks_like_csv_log(std::string_view text) {
    size_t pos = 0;
    const auto fields = csv_record(text, pos);
    return fields.size() >= csv_min_fields && !fields[0].empty() &&
           std::isdigit(static_cast<unsigned char>(fields[0][0])) != 0;
}

Result<std::vector<Execution>> parse_csv_log(std::string_view text, const std::string& name,
                                             const std::string& database) {
    std::vector<Execution> out;
    size_t pos = 0;
    for (int record = 1; pos < text.size(); ++record) {
        const auto fields = csv_record(text, pos);
        if (fields.size() == 1 && fields[0].empty()) continue;
        if (fields.size() < csv_min_fields) {
            return make_error(Side::local,
                              name + ": record " + std::to_string(record) + " is not a csvlog row",
                              "give --log a csvlog file or a stderr log");
        }
        if (fields[csv_severity] != "LOG") continue;
        if (!database.empty() && fields[csv_database] != database) continue;
        bool is_execute = false;
        auto sql = statement_of(fields[csv_message], is_execute);
        if (!sql) continue;
        pg::Params params;
        if (auto p = parameters_of(fields[csv_detail])) params = std::move(*p);
        out.push_back({std::move(*sql), std::move(params), name + ":" + std::to_string(record)});
    }
    return out;
}

Result<std::string> read_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return make_error(Side::local, "cannot read " + path, "check the path");
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace pgflip::shadow
