#include "shadow/statement.hpp"

#include <algorithm>
#include <array>
#include <optional>
#include <set>

#include "shadow/lexer.hpp"

namespace pgflip::shadow {

namespace {

//! Statements that only read.
bool reading_command(const Token& t) {
    return t.is("select") || t.is("with") || t.is("values") || t.is("table") || t.is("show");
}

//! Words that make a reading statement write or lock (data-modifying WITH, SELECT INTO,
//! FOR UPDATE / FOR SHARE).
bool writing_word(const Token& t) {
    return t.is("insert") || t.is("update") || t.is("delete") || t.is("merge") || t.is("into") ||
           t.is("share");
}

//! Functions with effects that a READ ONLY transaction does not stop (or that shadow must not
//! even try: signals, locks, files, replication, other servers).
bool has_effects(const std::string& name) {
    static const std::set<std::string> exact = {"nextval",
                                                "setval",
                                                "pg_terminate_backend",
                                                "pg_cancel_backend",
                                                "pg_reload_conf",
                                                "pg_rotate_logfile",
                                                "pg_switch_wal",
                                                "pg_promote",
                                                "pg_create_restore_point",
                                                "pg_notify",
                                                "set_config",
                                                "pg_logical_emit_message",
                                                "pg_import_system_collations",
                                                "pg_log_backend_memory_contexts",
                                                "pg_start_backup",
                                                "pg_stop_backup"};
    static const std::array<const char*, 13> prefixes = {
        "lo_",      "dblink",          "pg_advisory", "pg_try_advisory", "pg_create_",
        "pg_drop_", "pg_replication_", "pg_copy_",    "pg_stat_reset",   "pg_wal_replay_",
        "pg_file_", "pg_backup_",      "pg_sequence_"};
    if (exact.count(name) > 0) return true;
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const char* p) { return name.rfind(p, 0) == 0; });
}

//! The first token after any opening parentheses.
const Token* first_command(const std::vector<Token>& toks) {
    for (const Token& t : toks) {
        if (!t.is_punct('(')) return &t;
    }
    return nullptr;
}

bool more_than_one(const std::vector<Token>& toks) {
    for (size_t i = 0; i < toks.size(); ++i) {
        if (toks[i].is_punct(';') && i + 1 < toks.size()) return true;
    }
    return false;
}

std::string refusal(const std::vector<Token>& toks) {
    for (size_t i = 0; i < toks.size(); ++i) {
        const Token& t = toks[i];
        if (writing_word(t)) return "contains " + lower(t.text) + ": it would write or lock";
        const bool call =
            t.kind == TokenKind::word && i + 1 < toks.size() && toks[i + 1].is_punct('(');
        if (call && has_effects(lower(t.text))) {
            return lower(t.text) + "() has effects beyond reading";
        }
    }
    return {};
}

bool is_literal(const Token& t) {
    return t.kind == TokenKind::string || t.kind == TokenKind::number || t.kind == TokenKind::param;
}

bool no_space_before(const std::string& t) {
    return t == "," || t == ")" || t == "[" || t == "]" || t == ";" || t == "." || t == "::";
}

bool no_space_after(const std::string& t) {
    return t == "(" || t == "[" || t == "." || t == "::";
}

//! Normalized texts of the significant tokens: literals as ?, words lower-cased.
std::vector<std::string> normalized(const std::vector<Token>& toks) {
    std::vector<std::string> out;
    for (const Token& t : toks) {
        if (is_literal(t)) {
            out.emplace_back("?");
        } else if (t.kind == TokenKind::word) {
            out.push_back(lower(t.text));
        } else {
            out.emplace_back(t.text);
        }
    }
    return out;
}

//! Folds the lists of IN (...) and ARRAY[...] into "?...": lists of any length look alike.
std::vector<std::string> fold_lists(const std::vector<std::string>& in) {
    std::vector<std::string> out;
    for (size_t i = 0; i < in.size(); ++i) {
        out.push_back(in[i]);
        const bool list = (in[i] == "(" && i > 0 && in[i - 1] == "in") ||
                          (in[i] == "[" && i > 0 && in[i - 1] == "array");
        if (!list) continue;
        size_t j = i + 1;
        while (j + 1 < in.size() && in[j] == "?" && in[j + 1] == ",") j += 2;
        if (j < in.size() && in[j] == "?") {
            out.emplace_back("?...");
            i = j;
        }
    }
    return out;
}

int line_of(std::string_view text, size_t offset) {
    return 1 + static_cast<int>(
                   std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

}  // namespace

Admission admit(std::string_view sql) {
    const auto toks = significant(lex(sql));
    const Token* first = first_command(toks);
    if (first == nullptr) return {false, "empty statement"};
    if (!reading_command(*first)) return {false, lower(first->text) + " is not a read"};
    if (more_than_one(toks)) return {false, "more than one statement"};
    std::string why = refusal(toks);
    if (!why.empty()) return {false, why};
    return {true, {}};
}

std::string fingerprint(std::string_view sql) {
    auto toks = significant(lex(sql));
    while (!toks.empty() && toks.back().is_punct(';')) toks.pop_back();
    std::string out;
    bool glue = true;
    for (const std::string& t : fold_lists(normalized(toks))) {
        if (!glue && !no_space_before(t)) out += ' ';
        out += t;
        glue = no_space_after(t);
    }
    return out;
}

bool orders_rows(std::string_view sql) {
    const auto toks = significant(lex(sql));
    int depth = 0;
    for (size_t i = 0; i + 1 < toks.size(); ++i) {
        if (toks[i].is_punct('(') || toks[i].is_punct('[')) ++depth;
        if (toks[i].is_punct(')') || toks[i].is_punct(']')) --depth;
        if (depth == 0 && toks[i].is("order") && toks[i + 1].is("by")) return true;
    }
    return false;
}

std::vector<SplitStatement> split_statements(std::string_view text) {
    std::vector<SplitStatement> out;
    std::optional<SplitStatement> current;
    size_t start = 0;
    size_t end = 0;                 // end of the current statement's last significant token
    std::vector<std::string> tail;  // comments since that token
    auto finish = [&] {
        if (!current) return;
        current->sql = std::string(text.substr(start, end - start));
        out.push_back(std::move(*current));
        current.reset();
    };
    for (const Token& t : lex(text)) {
        if (t.kind == TokenKind::whitespace) continue;
        if (t.kind == TokenKind::comment) {
            tail.emplace_back(t.text);
            continue;
        }
        if (t.is_punct(';')) {
            finish();
            tail.clear();
            continue;
        }
        if (!current) {
            for (auto& c : tail) {
                if (!out.empty()) out.back().trailing_comments.push_back(std::move(c));
            }
            current = SplitStatement{{}, {}, line_of(text, t.offset)};
            start = t.offset;
        }
        tail.clear();
        end = t.offset + t.text.size();
    }
    finish();
    for (auto& c : tail) {
        if (!out.empty()) out.back().trailing_comments.push_back(std::move(c));
    }
    return out;
}

}  // namespace pgflip::shadow
