#include "sync/post_data.hpp"

#include "sql/queries.hpp"
#include "sync/parallel.hpp"
#include "sync/plan.hpp"
#include "sync/session.hpp"

namespace pgflip::sync {

namespace {

constexpr pg::milliseconds kLongStatement{6 * 3600 * 1000};

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() &&
           s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Status add_one(pg::Connection& green, const ForeignKey& fk) {
    auto deadline = pg::after(kLongStatement);
    auto state = green.query(sql::sync_foreign_key_state, {fk.schema, fk.table, fk.name}, deadline);
    if (!state) return state.take_error();
    bool present = !state->empty();
    if (present && (state->boolean(0, 0) || !fk.validated)) return {};
    for (const auto& stmt : foreign_key_statements(green, fk, present)) {
        PGFLIP_TRY(exec(green, stmt, deadline));
    }
    return {};
}

}  // namespace

std::vector<std::string> foreign_key_statements(const pg::Connection& green, const ForeignKey& fk,
                                                bool validate_only) {
    std::string table = (fk.partitioned ? "ALTER TABLE " : "ALTER TABLE ONLY ") +
                        qualified(green, fk.schema, fk.table);
    std::string name = green.quote_ident(fk.name);
    std::string validate = table + " VALIDATE CONSTRAINT " + name;
    if (validate_only) return {validate};
    std::string add = table + " ADD CONSTRAINT " + name + " " + fk.definition;
    if (fk.partitioned || !fk.validated || ends_with(fk.definition, " NOT VALID")) return {add};
    return {add + " NOT VALID", validate};
}

Status add_foreign_keys(const pg::Conninfo& green, const std::vector<ForeignKey>& keys, int jobs) {
    return for_each_parallel(
        green, Side::green, "foreign keys", jobs, keys.size(),
        [&keys](pg::Connection& conn, size_t i) { return add_one(conn, keys[i]); });
}

Status refresh_matviews(pg::Connection& green, const std::vector<QualifiedName>& views) {
    for (const auto& v : views) {
        PGFLIP_TRY(exec(green, "REFRESH MATERIALIZED VIEW " + qualified(green, v.schema, v.name),
                        pg::after(kLongStatement)));
    }
    return {};
}

Result<int> autovacuum_paused_tables(pg::Connection& green, pg::Deadline deadline) {
    auto present = green.query(sql::sync_autovacuum_paused_exists, deadline);
    if (!present) return present.take_error();
    if (!present->boolean(0, 0)) return 0;
    auto count = green.query(sql::sync_autovacuum_paused_count, deadline);
    if (!count) return count.take_error();
    return static_cast<int>(count->num(0, 0));
}

Result<int> resume_autovacuum(pg::Connection& green) {
    auto deadline = pg::after(kLongStatement);
    auto paused = autovacuum_paused_tables(green, deadline);
    if (!paused) return paused.take_error();
    // Also when nothing is listed: the empty list must go too (green's reverse publication is
    // FOR ALL TABLES, and blue has no such table).
    PGFLIP_TRY(exec(green, sql::sync_autovacuum_resume, deadline));
    return paused;
}

Status analyze_each(const pg::Conninfo& green, const std::vector<QualifiedName>& tables, int jobs) {
    return for_each_parallel(
        green, Side::green, "analyze", jobs, tables.size(),
        [&tables](pg::Connection& conn, size_t i) {
            return exec(conn, "ANALYZE " + qualified(conn, tables[i].schema, tables[i].name),
                        pg::after(kLongStatement));
        });
}

Status analyze_tables(const pg::Conninfo& green, const Plan& plan,
                      const std::set<std::uint32_t>& skip, int jobs) {
    std::vector<QualifiedName> names;
    for (const auto& t : plan.tables) {
        if (skip.count(t.oid) == 0) names.push_back({t.schema, t.name});
    }
    {
        auto conn = open_session(green, Side::green, "analyze", pg::after(pg::milliseconds(30000)));
        if (!conn) return conn.take_error();
        auto rows = conn->query(sql::sync_partitioned_tables, pg::default_deadline());
        if (!rows) return rows.take_error();
        for (int r = 0; r < rows->size(); ++r) names.push_back({rows->str(r, 0), rows->str(r, 1)});
    }
    return analyze_each(green, names, jobs);
}

}  // namespace pgflip::sync
