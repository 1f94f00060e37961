// The migrated database should sort and classify text the same way on green: same encoding,
// same collation provider and locales, ideally the same collation library version. Green's
// database is still empty before setup, which is when recreating it costs nothing.
#include "check/rules/rules.hpp"
#include "check/rules/support.hpp"
#include "sql/queries.hpp"

namespace pgflip::check::rules {

namespace {

struct Collation {
    std::string database, encoding, lc_collate, lc_ctype, provider, locale, version;
};

std::string provider_name(const std::string& code) {
    if (code == "i") return "icu";
    if (code == "b") return "builtin";
    return "libc";
}

//! The version of the collation library the server links now (PostgreSQL 15+), else "".
Result<std::string> actual_version(Context& ctx, const Server& s) {
    if (s.info.major() < 15) return std::string();
    auto rows = query(ctx, s,
                      "SELECT pg_database_collation_actual_version(oid) FROM pg_database "
                      "WHERE datname = current_database()");
    if (!rows.ok()) return rows.take_error();
    return rows->str(0, 0);
}

Result<Collation> read_collation(Context& ctx, const Server& s) {
    auto rows = query(ctx, s, sql::check_collation);
    if (!rows.ok()) return rows.take_error();
    Row r(*rows, 0);
    auto version = actual_version(ctx, s);
    if (!version.ok()) return version.take_error();
    return Collation{r.str("database"),         r.str("encoding"), r.str("lc_collate"),
                     r.str("lc_ctype"),         r.str("provider"), r.str("locale"),
                     std::move(version).value()};
}

std::string describe(const Collation& c) {
    std::string out = c.encoding + ", " + provider_name(c.provider) + ", LC_COLLATE '" +
                      c.lc_collate + "', LC_CTYPE '" + c.lc_ctype + "'";
    if (!c.locale.empty()) out += ", locale '" + c.locale + "'";
    return out;
}

//! CREATE DATABASE options that reproduce blue's collation on green.
std::string locale_options(const Server& gs, const Collation& b) {
    auto lit = [&](const std::string& v) { return gs.conn.quote_literal(v); };
    std::string out = " ENCODING " + lit(b.encoding);
    if (gs.info.major() >= 15) out += " LOCALE_PROVIDER " + provider_name(b.provider);
    out += " LC_COLLATE " + lit(b.lc_collate) + " LC_CTYPE " + lit(b.lc_ctype);
    if (b.provider == "i") out += " ICU_LOCALE " + lit(b.locale);
    if (b.provider == "b") out += " BUILTIN_LOCALE " + lit(b.locale);
    return out;
}

Finding mismatch(const Server& gs, const Collation& b, const Collation& g) {
    return finding(
        Severity::warning, Side::green, "database " + g.database + " collation",
        "Blue's database is " + describe(b) + "; green's is " + describe(g) +
            ". ORDER BY on text, comparisons, upper()/lower(), LIKE and which strings count "
            "as duplicates in unique indexes can differ, and an encoding that cannot hold "
            "blue's text makes apply fail.",
        "-- while green's database is still empty (before setup), from another database on "
        "green:\nDROP DATABASE " +
            g.database + ";\nCREATE DATABASE " + g.database + " TEMPLATE template0" +
            locale_options(gs, b) + ";");
}

Finding version_drift(const Collation& b, const Collation& g) {
    return finding(Severity::info, Side::green, "database " + g.database + " collation version",
                   "The collation library differs: version " + b.version + " on blue, " +
                       g.version +
                       " on green. Green builds its own indexes, so they are consistent, but "
                       "the sort order of some strings may differ from blue's.");
}

Result<std::vector<Finding>> run(Context& ctx) {
    auto b = read_collation(ctx, blue(ctx));
    if (!b.ok()) return b.take_error();
    auto g = read_collation(ctx, green(ctx));
    if (!g.ok()) return g.take_error();
    std::vector<Finding> out;
    if (describe(*b) != describe(*g)) out.push_back(mismatch(green(ctx), *b, *g));
    bool both_known = !b->version.empty() && !g->version.empty();
    if (both_known && b->provider == g->provider && b->version != g->version) {
        out.push_back(version_drift(*b, *g));
    }
    return out;
}

}  // namespace

Rule collation() {
    return {"collation", "the database sorts and encodes text alike", run};
}

}  // namespace pgflip::check::rules
