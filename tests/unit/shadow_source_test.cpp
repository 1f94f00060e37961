// Where shadow's executions come from: parameter lists, the queries file, and PostgreSQL logs in
// the exact formats PostgreSQL 14 (stderr, "parameters:") and 17 (csvlog, "Parameters:") wrote.
#include <gtest/gtest.h>

#include "shadow/results.hpp"
#include "shadow/source.hpp"

namespace pgflip::shadow {
namespace {

TEST(ShadowParameters, ParseTheLogFormat) {
    auto p = parse_parameters("$1 = '42', $2 = NULL, $3 = 'it''s, ok', $4 = ''");
    ASSERT_TRUE(p);
    ASSERT_EQ(p->size(), 4U);
    EXPECT_EQ((*p)[0], "42");
    EXPECT_EQ((*p)[1], std::nullopt);
    EXPECT_EQ((*p)[2], "it's, ok");
    EXPECT_EQ((*p)[3], "");
    EXPECT_EQ(format_parameters(*p), "$1 = '42', $2 = NULL, $3 = 'it''s, ok', $4 = ''");
    EXPECT_FALSE(parse_parameters("$1 = 42"));
    EXPECT_FALSE(parse_parameters("$1 = 'open"));
    EXPECT_FALSE(parse_parameters("1 = '1'"));
    EXPECT_TRUE(parse_parameters("")->empty());
}

TEST(ShadowQueriesFile, EachParametersLineIsOneExecution) {
    auto e = parse_queries(
        "SELECT * FROM t WHERE id = $1;\n-- parameters: $1 = '1'\n--parameters: $1 = '2'\n"
        "-- a note\nSELECT 1;\n",
        "q.sql");
    ASSERT_TRUE(e.ok());
    ASSERT_EQ(e->size(), 3U);
    EXPECT_EQ((*e)[0].params, (pg::Params{"1"}));
    EXPECT_EQ((*e)[1].params, (pg::Params{"2"}));
    EXPECT_EQ((*e)[1].origin, "q.sql:1");
    EXPECT_EQ((*e)[2].sql, "SELECT 1");
    EXPECT_TRUE((*e)[2].params.empty());
    EXPECT_FALSE(parse_queries("SELECT $1;\n-- parameters: $1 = oops\n", "q.sql").ok());
}

// As PostgreSQL 14 wrote it with log_min_duration_statement = 0 and then log_statement = 'all'.
constexpr const char* stderr_log =
    R"(2026-11-23 19:53:19.647 UTC [4241] LOG:  duration: 0.027 ms  parse <unnamed>: SELECT id, f FROM t WHERE id = $1 AND m = 'ok';
2026-11-23 19:53:19.647 UTC [4241] LOG:  duration: 0.042 ms  bind <unnamed>: SELECT id, f FROM t WHERE id = $1 AND m = 'ok';
2026-11-23 19:53:19.647 UTC [4241] DETAIL:  parameters: $1 = '98'
2026-11-23 19:53:19.647 UTC [4241] LOG:  duration: 0.002 ms  execute <unnamed>: SELECT id, f FROM t WHERE id = $1 AND m = 'ok';
2026-11-23 19:53:19.647 UTC [4241] DETAIL:  parameters: $1 = '98'
2026-11-23 19:53:19.664 UTC [4244] LOG:  execute S_1: SELECT 'it''s', $1::text || E'\n' || 'x';
2026-11-23 19:53:19.664 UTC [4244] DETAIL:  parameters: $1 = '57'
2026-11-23 19:53:19.697 UTC [4246] LOG:  duration: 0.167 ms  statement: select 1,
	 'multi
	line'
2026-11-23 19:53:19.698 UTC [4246] LOG:  duration: 0.100 ms
2026-11-23 19:53:19.699 UTC [4246] ERROR:  relation "nope" does not exist at character 15
2026-11-23 19:53:19.699 UTC [4246] STATEMENT:  select * from nope
)";

TEST(ShadowLog, StderrStatementsExecutesAndTheirParameters) {
    const auto e = parse_stderr_log(stderr_log, "pg.log");
    ASSERT_EQ(e.size(), 3U);
    EXPECT_EQ(e[0].sql, "SELECT id, f FROM t WHERE id = $1 AND m = 'ok';");
    EXPECT_EQ(e[0].params, (pg::Params{"98"}));
    EXPECT_EQ(e[0].origin, "pg.log:4");
    EXPECT_EQ(e[1].sql, "SELECT 'it''s', $1::text || E'\\n' || 'x';");
    EXPECT_EQ(e[1].params, (pg::Params{"57"}));
    EXPECT_EQ(e[2].sql, "select 1,\n 'multi\nline'");
    EXPECT_TRUE(e[2].params.empty());
}

// As PostgreSQL 17 wrote it (csvlog, 26 columns).
constexpr const char* csv_log =
    R"(2026-11-23 20:18:06.453 UTC,,,18612,,6b049f7e.48b4,5,,2026-11-23 20:18:06 UTC,,0,LOG,00000,"database system is ready to accept connections",,,,,,,,,"","postmaster",,0
2026-11-23 20:18:06.624 UTC,"postgres","v1",18622,"127.0.0.1:48204",6b049f7e.48be,2,"BIND",2026-11-23 20:18:06 UTC,1/2,0,LOG,00000,"duration: 1.843 ms  bind <unnamed>: SELECT id, f FROM t WHERE id = $1 AND m = 'ok';","Parameters: $1 = '6'",,,,,,,,"pgbench","client backend",,0
2026-11-23 20:18:06.624 UTC,"postgres","v1",18622,"127.0.0.1:48204",6b049f7e.48be,3,"SELECT",2026-11-23 20:18:06 UTC,1/2,0,LOG,00000,"duration: 0.047 ms  execute <unnamed>: SELECT id, f FROM t WHERE id = $1 AND m = 'ok';","Parameters: $1 = '6'",,,,,,,,"pgbench","client backend",,0
2026-11-23 20:18:06.624 UTC,"postgres","other",18622,"127.0.0.1:48204",6b049f7e.48be,6,"SELECT",2026-11-23 20:18:06 UTC,1/3,0,LOG,00000,"duration: 0.004 ms  execute <unnamed>: SELECT 2",,,,,,,,,"pgbench","client backend",,0
2026-11-23 20:18:06.732 UTC,"postgres","v1",18624,"127.0.0.1:48210",6b049f7e.48c0,1,"SELECT",2026-11-23 20:18:06 UTC,2/0,0,LOG,00000,"duration: 0.224 ms  statement: select 1,
 'multi
line'",,,,,,,,,"psql","client backend",,0
)";

TEST(ShadowLog, CsvlogRowsOfOneDatabase) {
    EXPECT_TRUE(looks_like_csv_log(csv_log));
    EXPECT_FALSE(looks_like_csv_log(stderr_log));
    auto e = parse_csv_log(csv_log, "pg.csv", "v1");
    ASSERT_TRUE(e.ok());
    ASSERT_EQ(e->size(), 2U);
    EXPECT_EQ((*e)[0].sql, "SELECT id, f FROM t WHERE id = $1 AND m = 'ok';");
    EXPECT_EQ((*e)[0].params, (pg::Params{"6"}));
    EXPECT_EQ((*e)[1].sql, "select 1,\n 'multi\nline'");
    EXPECT_EQ(parse_csv_log(csv_log, "pg.csv", "")->size(), 3U);
}

// ---- comparing results ------------------------------------------------------------------------

Outcome rows(std::vector<Row> r, std::vector<std::string> columns = {"a"}) {
    return {ResultSet{std::move(columns), std::move(r)}, std::nullopt};
}

Outcome failed(const std::string& sqlstate) {
    Error e = make_error(Side::green, "boom");
    e.sqlstate = sqlstate;
    return {std::nullopt, e};
}

TEST(ShadowCompare, RowOrderMattersOnlyUnderATopLevelOrderBy) {
    const auto ab = rows({{"1"}, {"2"}});
    const auto ba = rows({{"2"}, {"1"}});
    EXPECT_EQ(compare(ab, ba, false).verdict, Verdict::equal);
    const auto c = compare(ab, ba, true);
    EXPECT_EQ(c.verdict, Verdict::order_differs);
    EXPECT_EQ(c.blue, "row 1: (1)");
}

TEST(ShadowCompare, FirstDifferingRowsAreShown) {
    const auto c =
        compare(rows({{"1"}, {"2"}, {std::nullopt}}), rows({{"1"}, {"3"}, {std::nullopt}}), false);
    EXPECT_EQ(c.verdict, Verdict::rows_differ);
    EXPECT_EQ(c.blue, "(2)");
    EXPECT_EQ(c.green, "(3)");
    EXPECT_EQ(compare(rows({}, {"a"}), rows({}, {"b"}), false).verdict, Verdict::columns_differ);
}

TEST(ShadowCompare, ErrorsCompareBySqlstate) {
    EXPECT_EQ(compare(failed("42P01"), failed("42P01"), false).verdict, Verdict::both_failed);
    EXPECT_FALSE(is_difference(Verdict::both_failed));
    EXPECT_EQ(compare(failed("42P01"), failed("42883"), false).verdict, Verdict::errors_differ);
    EXPECT_EQ(compare(rows({}), failed("42883"), false).verdict, Verdict::failed_on_green);
    EXPECT_EQ(compare(failed("42883"), rows({}), false).verdict, Verdict::failed_on_blue);
}

TEST(ShadowCompare, FloatsAreRoundedNumericsAreNot) {
    EXPECT_EQ(round_float("0.30000000000000004", 12), "0.3");
    EXPECT_EQ(round_float("1.0000001", 6), "1");
    EXPECT_EQ(round_float("NaN", 12), "NaN");
    EXPECT_EQ(round_float("-Infinity", 12), "-Infinity");
    EXPECT_EQ(round_float("1e+300", 12), "1e+300");
}

}  // namespace
}  // namespace pgflip::shadow
