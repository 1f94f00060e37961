#include "verify/table_filter.hpp"

#include <fnmatch.h>

namespace pgflip::verify {

namespace {

//! Splits at dots outside double quotes and unquotes each part; nullopt when quotes are open.
std::optional<std::vector<std::string>> split_parts(const std::string& text) {
    std::vector<std::string> parts(1);
    bool quoted = false;
    for (size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '"' && quoted && i + 1 < text.size() && text[i + 1] == '"') {
            parts.back() += '"';
            ++i;
        } else if (c == '"') {
            quoted = !quoted;
        } else if (c == '.' && !quoted) {
            parts.emplace_back();
        } else {
            parts.back() += c;
        }
    }
    if (quoted) return std::nullopt;
    return parts;
}

bool glob(const std::string& pattern, const std::string& name) {
    return ::fnmatch(pattern.c_str(), name.c_str(), 0) == 0;
}

}  // namespace

std::optional<TablePattern> parse_table_pattern(const std::string& text) {
    auto parts = split_parts(text);
    if (!parts || parts->size() > 2) return std::nullopt;
    for (const auto& p : *parts) {
        if (p.empty()) return std::nullopt;
    }
    if (parts->size() == 1) return TablePattern{std::nullopt, parts->front()};
    return TablePattern{(*parts)[0], (*parts)[1]};
}

bool matches(const TablePattern& pattern, const std::string& schema, const std::string& table) {
    if (pattern.schema && !glob(*pattern.schema, schema)) return false;
    return glob(pattern.table, table);
}

bool selected(const std::vector<TablePattern>& patterns, const std::string& schema,
              const std::string& table) {
    if (patterns.empty()) return true;
    for (const auto& p : patterns) {
        if (matches(p, schema, table)) return true;
    }
    return false;
}

}  // namespace pgflip::verify
