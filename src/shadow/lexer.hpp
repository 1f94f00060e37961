// A small PostgreSQL SQL lexer: enough to split statements, tell what kind a statement is,
// fingerprint it and find a top-level ORDER BY, without ever mistaking the inside of a string,
// a quoted identifier, a dollar-quoted body or a comment for SQL.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace pgflip::shadow {

enum class TokenKind {
    word,    //!< keyword or unquoted identifier
    quoted,  //!< "identifier"
    string,  //!< '...', E'...', B'...', X'...', U&'...', $tag$...$tag$
    number,
    param,    //!< $1
    punct,    //!< ( ) , ; . and operators
    comment,  //!< -- ... or /* ... */
    whitespace
};

struct Token {
    TokenKind kind = TokenKind::punct;
    std::string_view text;  //!< a view into the lexed input
    size_t offset = 0;

    //! True for a word equal to `keyword` (ASCII case-insensitive).
    [[nodiscard]] bool is(std::string_view keyword) const;
    [[nodiscard]] bool is_punct(char c) const {
        return kind == TokenKind::punct && text.size() == 1 && text[0] == c;
    }
};

//! Every token of `sql`, whitespace and comments included; an unterminated string or comment
//! runs to the end of the input.
[[nodiscard]] std::vector<Token> lex(std::string_view sql);

//! The tokens that carry meaning (no whitespace, no comments).
[[nodiscard]] std::vector<Token> significant(const std::vector<Token>& tokens);

//! ASCII lower case.
[[nodiscard]] std::string lower(std::string_view text);

}  // namespace pgflip::shadow
