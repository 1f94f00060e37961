#include "pg/conninfo.hpp"

#include <libpq-fe.h>

#include <memory>
#include <regex>

namespace pgflip::pg {

namespace {

constexpr const char* kMask = "********";

//! Quotes a value for a key=value conninfo when it needs it.
std::string conninfo_value(const std::string& value) {
    bool plain = !value.empty();
    for (char c : value) {
        if (c == ' ' || c == '\'' || c == '\\' || c == '\t') plain = false;
    }
    if (plain) return value;
    std::string out = "'";
    for (char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string join(const std::map<std::string, std::string>& opts, const std::string* password) {
    std::string out;
    for (const auto& [key, value] : opts) {
        if (!out.empty()) out += ' ';
        out += key + "=" + conninfo_value(value);
    }
    if (password != nullptr) {
        if (!out.empty()) out += ' ';
        out += "password=" + conninfo_value(*password);
    }
    return out;
}

}  // namespace

Result<Conninfo> Conninfo::parse(std::string_view text, Side side) {
    std::string input(text);
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(input.c_str(), &err);
    if (opts == nullptr) {
        std::string msg = err != nullptr ? err : "out of memory";
        PQfreemem(err);
        while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
        return make_error(side, "invalid connection string: " + redact_secrets(msg),
                          "use key=value pairs (host=... port=... dbname=... user=...) or a "
                          "postgresql:// URI");
    }
    Conninfo info;
    for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
        if (o->val == nullptr) continue;
        std::string key = o->keyword;
        if (key == "password") {
            info.password_ = o->val;
        } else {
            info.opts_[key] = o->val;
        }
    }
    PQconninfoFree(opts);
    return info;
}

std::string Conninfo::redacted() const {
    // sslpassword (the passphrase of the client key) is as secret as the password.
    auto opts = opts_;
    if (auto it = opts.find("sslpassword"); it != opts.end()) it->second = kMask;
    if (password_.empty()) return join(opts, nullptr);
    std::string mask = kMask;
    return join(opts, &mask);
}

std::string Conninfo::secret_string() const {
    return join(opts_, password_.empty() ? nullptr : &password_);
}

std::string Conninfo::get(const std::string& key, std::string fallback) const {
    auto it = opts_.find(key);
    return it == opts_.end() ? std::move(fallback) : it->second;
}

void Conninfo::set(const std::string& key, std::string value) {
    if (key == "password") {
        password_ = std::move(value);
        return;
    }
    opts_[key] = std::move(value);
}

std::string Conninfo::user() const {
    if (auto it = opts_.find("user"); it != opts_.end()) return it->second;
    if (const char* env = std::getenv("PGUSER")) return env;
    if (const char* env = std::getenv("USER")) return env;
    return "postgres";
}

std::string Conninfo::dbname() const {
    if (auto it = opts_.find("dbname"); it != opts_.end()) return it->second;
    if (const char* env = std::getenv("PGDATABASE")) return env;
    return user();
}

Conninfo Conninfo::with_dbname(std::string dbname) const {
    Conninfo copy = *this;
    copy.opts_["dbname"] = std::move(dbname);
    return copy;
}

std::string redact_secrets(std::string text, const std::string& password) {
    static const std::regex kv(R"((password\s*=\s*)('(?:[^'\\]|\\.)*'|\S+))", std::regex::icase);
    static const std::regex uri(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    text = std::regex_replace(text, kv, std::string("$1") + kMask);
    text = std::regex_replace(text, uri, std::string("$1") + kMask + "@");
    if (password.size() >= 3) {
        for (auto pos = text.find(password); pos != std::string::npos;
             pos = text.find(password, pos)) {
            text.replace(pos, password.size(), kMask);
        }
    }
    return text;
}

}  // namespace pgflip::pg
