#include "check/rules/support.hpp"

#include <cstdio>
#include <nlohmann/json.hpp>
#include <stdexcept>

namespace pgflip::check::rules {

Server blue(Context& ctx) {
    return {Side::blue, ctx.servers.blue, ctx.servers.blue_info};
}

Server green(Context& ctx) {
    return {Side::green, ctx.servers.green, ctx.servers.green_info};
}

std::array<Server, 2> both(Context& ctx) {
    return {blue(ctx), green(ctx)};
}

Result<pg::Rows> query(Context& ctx, const Server& server, std::string_view sql,
                       const pg::Params& params) {
    return server.conn.query(sql, params, ctx.deadline);
}

int Row::col(std::string_view column) const {
    int c = rows_.column(column);
    if (c < 0) throw std::logic_error("query has no column " + std::string(column));
    return c;
}

std::string Row::str(std::string_view column) const {
    return rows_.str(index_, col(column));
}
long long Row::num(std::string_view column) const {
    return rows_.num(index_, col(column));
}
bool Row::flag(std::string_view column) const {
    return rows_.boolean(index_, col(column));
}
bool Row::is_null(std::string_view column) const {
    return rows_.is_null(index_, col(column));
}

std::vector<PoolerHandle*> bouncers(Context& ctx) {
    std::vector<PoolerHandle*> out;
    for (auto& p : ctx.poolers) {
        if (p.admin) out.push_back(&p);
    }
    return out;
}

Result<std::vector<pooler::DatabaseEntry>> pooler_entries(Context& ctx, PoolerHandle& p) {
    auto all = pooler::show_databases(*p.admin, ctx.deadline);
    if (!all.ok()) return all.take_error();
    std::vector<pooler::DatabaseEntry> out;
    for (auto& d : *all) {
        if (d.name != "pgbouncer") out.push_back(std::move(d));
    }
    return out;
}

Result<std::string> pooler_setting(Context& ctx, PoolerHandle& p, const std::string& key) {
    auto config = pooler::show_config(*p.admin, ctx.deadline);
    if (!config.ok()) return config.take_error();
    auto it = config->find(key);
    return it == config->end() ? std::string() : it->second;
}

std::string pooler_label(const PoolerHandle& p) {
    auto info = pg::Conninfo::parse(p.config->admin);
    if (!info.ok() || p.config->admin.empty()) return "pooler " + p.config->name;
    return "pooler " + p.config->name + " (" + info->host() + ":" + info->port() + ")";
}

std::vector<std::string> json_strings(std::string_view json_array) {
    std::vector<std::string> out;
    auto doc = nlohmann::json::parse(json_array, nullptr, false);
    if (!doc.is_array()) return out;
    for (const auto& item : doc) {
        if (item.is_string()) out.push_back(item.get<std::string>());
    }
    return out;
}

std::vector<Row> rows_of(const pg::Rows& rows) {
    std::vector<Row> out;
    out.reserve(static_cast<size_t>(rows.size()));
    for (int r = 0; r < rows.size(); ++r) out.emplace_back(rows, r);
    return out;
}

std::string shell_conninfo(const std::string& conninfo) {
    auto info = pg::Conninfo::parse(conninfo);
    if (!info.ok()) return "'<conninfo>'";
    info->set("password", "");
    std::string out = "'";
    for (char c : info->redacted()) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

Finding finding(Severity severity, Side side, std::string object, std::string explanation,
                std::string fix) {
    return {"", severity, side, std::move(object), std::move(explanation), std::move(fix)};
}

std::string human_bytes(long long bytes) {
    static const char* units[] = {"bytes", "kB", "MB", "GB", "TB"};
    if (bytes < 1024) return std::to_string(bytes) + " bytes";
    double v = static_cast<double>(bytes);
    int u = 0;
    while (v >= 1024.0 && u < 4) {
        v /= 1024.0;
        ++u;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, units[u]);
    return buf;
}

std::string human_duration(long long ms) {
    if (ms < 1000) return std::to_string(ms) + " ms";
    long long s = ms / 1000;
    if (s < 60) return std::to_string(s) + " s";
    if (s < 3600) return std::to_string(s / 60) + " min " + std::to_string(s % 60) + " s";
    return std::to_string(s / 3600) + " h " + std::to_string(s % 3600 / 60) + " min";
}

std::string count_of(long long n, std::string_view singular, std::string_view plural) {
    return std::to_string(n) + " " + std::string(n == 1 ? singular : plural);
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

std::string join_some(const std::vector<std::string>& items, size_t limit) {
    if (items.size() <= limit) return join(items, ", ");
    std::vector<std::string> head(items.begin(), items.begin() + static_cast<long>(limit));
    return join(head, ", ") + " and " + std::to_string(items.size() - limit) + " more";
}

}  // namespace pgflip::check::rules
