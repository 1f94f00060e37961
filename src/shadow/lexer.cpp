#include "shadow/lexer.hpp"

#include <cctype>
#include <cstring>

namespace pgflip::shadow {

namespace {

bool is_space(char c) {
    return std::strchr(" \t\n\r\f\v", c) != nullptr && c != '\0';
}
bool is_word_start(char c) {
    return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}
bool is_word_char(char c) {
    return is_word_start(c) || std::isdigit(static_cast<unsigned char>(c)) != 0 || c == '$';
}
bool is_digit(char c) {
    return std::isdigit(static_cast<unsigned char>(c)) != 0;
}
bool is_operator_char(char c) {
    return c != '\0' && std::strchr("+-*/<>=~!@#%^&|`?:", c) != nullptr;
}

//! A token's kind and where it ends.
struct Scanned {
    TokenKind kind;
    size_t end;
};

//! Scans tokens one at a time; every scan_* returns the end offset of its token.
class Scanner {
  public:
    explicit Scanner(std::string_view s) : s_(s) {}

    std::vector<Token> run() const {
        std::vector<Token> out;
        size_t pos = 0;
        while (pos < s_.size()) {
            const Scanned t = scan(pos);
            out.push_back({t.kind, s_.substr(pos, t.end - pos), pos});
            pos = t.end;
        }
        return out;
    }

  private:
    [[nodiscard]] char at(size_t i) const { return i < s_.size() ? s_[i] : '\0'; }

    [[nodiscard]] Scanned scan(size_t p) const {
        const char c = at(p);
        if (is_space(c)) return {TokenKind::whitespace, scan_space(p)};
        if (c == '-' && at(p + 1) == '-') return {TokenKind::comment, scan_line(p)};
        if (c == '/' && at(p + 1) == '*') return {TokenKind::comment, scan_block(p)};
        if (c == '\'') return {TokenKind::string, scan_quoted(p, '\'', false)};
        if (c == '"') return {TokenKind::quoted, scan_quoted(p, '"', false)};
        if (c == '$' && is_digit(at(p + 1))) return {TokenKind::param, scan_digits(p + 1)};
        if (c == '$' && scan_dollar(p) > p + 1) return {TokenKind::string, scan_dollar(p)};
        if (is_digit(c) || (c == '.' && is_digit(at(p + 1)))) {
            return {TokenKind::number, scan_number(p)};
        }
        if (is_word_start(c)) return scan_word(p);
        if (is_operator_char(c)) return {TokenKind::punct, scan_operator(p)};
        return {TokenKind::punct, p + 1};
    }

    size_t scan_space(size_t p) const {
        while (p < s_.size() && is_space(s_[p])) ++p;
        return p;
    }
    size_t scan_line(size_t p) const {
        while (p < s_.size() && s_[p] != '\n') ++p;
        return p;
    }
    size_t scan_block(size_t p) const {
        int depth = 0;
        while (p < s_.size()) {
            if (at(p) == '/' && at(p + 1) == '*') {
                ++depth;
                p += 2;
            } else if (at(p) == '*' && at(p + 1) == '/') {
                p += 2;
                if (--depth == 0) return p;
            } else {
                ++p;
            }
        }
        return p;
    }
    //! A quoted run from s_[p] (the opening quote); doubled quotes stay inside; with
    //! `backslash`, a backslash escapes the next character (E'...').
    size_t scan_quoted(size_t p, char quote, bool backslash) const {
        ++p;
        while (p < s_.size()) {
            if (backslash && s_[p] == '\\') {
                p += 2;
            } else if (s_[p] == quote && at(p + 1) == quote) {
                p += 2;
            } else if (s_[p] == quote) {
                return p + 1;
            } else {
                ++p;
            }
        }
        return s_.size();
    }
    size_t scan_digits(size_t p) const {
        while (is_digit(at(p))) ++p;
        return p;
    }
    //! $tag$ ... $tag$; returns p + 1 when s_[p] does not open a dollar quote.
    size_t scan_dollar(size_t p) const {
        size_t q = p + 1;
        while (q < s_.size() && s_[q] != '$' && is_word_char(s_[q]) && s_[q] != '$') ++q;
        if (at(q) != '$' || (q > p + 1 && is_digit(s_[p + 1]))) return p + 1;
        const std::string_view tag = s_.substr(p, q - p + 1);
        const size_t close = s_.find(tag, q + 1);
        return close == std::string_view::npos ? s_.size() : close + tag.size();
    }
    size_t scan_number(size_t p) const {
        while (p < s_.size()) {
            const char c = s_[p];
            if ((c == 'e' || c == 'E') && (at(p + 1) == '+' || at(p + 1) == '-')) {
                p += 2;
            } else if (std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' ||
                       (c == '.' && at(p + 1) != '.')) {
                ++p;
            } else {
                break;
            }
        }
        return p;
    }
    //! A word, or a string with a prefix: E'...' (backslash escapes), B'', X'', N'', U&'...'.
    [[nodiscard]] Scanned scan_word(size_t p) const {
        size_t end = p;
        while (end < s_.size() && is_word_char(s_[end])) ++end;
        const std::string word = lower(s_.substr(p, end - p));
        if (at(end) == '\'' && word == "e")
            return {TokenKind::string, scan_quoted(end, '\'', true)};
        if (at(end) == '\'' && (word == "b" || word == "x" || word == "n")) {
            return {TokenKind::string, scan_quoted(end, '\'', false)};
        }
        if (word == "u" && at(end) == '&' && (at(end + 1) == '\'' || at(end + 1) == '"')) {
            const char quote = at(end + 1);
            return {quote == '\'' ? TokenKind::string : TokenKind::quoted,
                    scan_quoted(end + 1, quote, false)};
        }
        return {TokenKind::word, end};
    }
    size_t scan_operator(size_t p) const {
        const size_t start = p;
        while (p < s_.size() && is_operator_char(s_[p])) {
            if (p > start &&
                ((s_[p] == '-' && at(p + 1) == '-') || (s_[p] == '/' && at(p + 1) == '*'))) {
                break;
            }
            ++p;
        }
        return p;
    }

    std::string_view s_;
};

}  // namespace

bool Token::is(std::string_view keyword) const {
    if (kind != TokenKind::word || text.size() != keyword.size()) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        if (std::tolower(static_cast<unsigned char>(text[i])) !=
            std::tolower(static_cast<unsigned char>(keyword[i]))) {
            return false;
        }
    }
    return true;
}

std::vector<Token> lex(std::string_view sql) {
    return Scanner(sql).run();
}

std::vector<Token> significant(const std::vector<Token>& tokens) {
    std::vector<Token> out;
    for (const Token& t : tokens) {
        if (t.kind != TokenKind::whitespace && t.kind != TokenKind::comment) out.push_back(t);
    }
    return out;
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

}  // namespace pgflip::shadow
