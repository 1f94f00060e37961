// shadow's view of SQL text: statements split, reads admitted, writes refused, fingerprints,
// ORDER BY at the top level.
#include <gtest/gtest.h>

#include "shadow/lexer.hpp"
#include "shadow/statement.hpp"

namespace pgflip::shadow {
namespace {

TEST(ShadowLexer, StringsIdentifiersAndDollarBodiesAreOpaque) {
    const auto toks =
        significant(lex(R"(SELECT 'a;b''c', E'x\'y', "q""d;", $f$ ; $f$, $1, 1.5e-3 -- c;
/* a /* nested */ ; */ x)"));
    std::vector<std::string> texts;
    for (const auto& t : toks) texts.emplace_back(t.text);
    EXPECT_EQ(texts,
              (std::vector<std::string>{"SELECT", "'a;b''c'", ",", R"(E'x\'y')", ",", R"("q""d;")",
                                        ",", "$f$ ; $f$", ",", "$1", ",", "1.5e-3", "x"}));
    EXPECT_EQ(toks[5].kind, TokenKind::quoted);
    EXPECT_EQ(toks[9].kind, TokenKind::param);
}

TEST(ShadowSplit, SemicolonsInsideQuotesDoNotSplit) {
    const auto st = split_statements(
        "-- leading comment\nSELECT 'a;b';\nSELECT $$;$$ AS \"x;y\"\n;\n"
        "-- parameters: $1 = '1'\nSELECT $1\n-- parameters: $1 = '2'\n");
    ASSERT_EQ(st.size(), 3U);
    EXPECT_EQ(st[0].sql, "SELECT 'a;b'");
    EXPECT_EQ(st[0].line, 2);
    EXPECT_EQ(st[1].sql, "SELECT $$;$$ AS \"x;y\"");
    EXPECT_EQ(st[1].trailing_comments, (std::vector<std::string>{"-- parameters: $1 = '1'"}));
    EXPECT_EQ(st[2].sql, "SELECT $1");
    EXPECT_EQ(st[2].trailing_comments, (std::vector<std::string>{"-- parameters: $1 = '2'"}));
}

TEST(ShadowAdmit, ReadsAreAdmitted) {
    for (const char* sql :
         {"SELECT 1", "  (SELECT 1) UNION (SELECT 2)",
          "WITH x AS (SELECT 1) "
          "SELECT * FROM x",
          "VALUES (1), (2)", "TABLE accounts", "SHOW TimeZone", "select \"update\" from t",
          "SELECT 'DELETE FROM t'", "SELECT pg_sleep(0)"}) {
        EXPECT_TRUE(admit(sql).read_only) << sql << ": " << admit(sql).reason;
    }
}

TEST(ShadowAdmit, WritesLocksAndSideEffectsAreRefused) {
    for (const char* sql : {"INSERT INTO t VALUES (1)",
                            "UPDATE t SET a = 1",
                            "delete from t",
                            "EXPLAIN ANALYZE DELETE FROM t",
                            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
                            "SELECT * INTO copy FROM t",
                            "SELECT * FROM t FOR UPDATE",
                            "SELECT * FROM t FOR KEY SHARE",
                            "SELECT nextval('s')",
                            "SELECT pg_catalog.setval('s', 1)",
                            "SELECT pg_terminate_backend(42)",
                            "SELECT pg_advisory_lock(1)",
                            "SELECT lo_import('/etc/passwd')",
                            "SELECT set_config('x', 'y', false)",
                            "SELECT dblink_exec('x')",
                            "SELECT 1; DELETE FROM t",
                            "COPY t TO STDOUT",
                            "SET search_path = x",
                            "BEGIN",
                            "CALL p()",
                            "",
                            "-- only a comment"}) {
        EXPECT_FALSE(admit(sql).read_only) << sql;
    }
    EXPECT_EQ(admit("UPDATE t SET a = 1").reason, "update is not a read");
    EXPECT_EQ(admit("SELECT nextval('s')").reason, "nextval() has effects beyond reading");
}

TEST(ShadowFingerprint, LiteralsParametersCaseAndSpacingFold) {
    EXPECT_EQ(fingerprint("SELECT  *\nFROM t WHERE id = 42 AND name = 'x' -- c\n;"),
              "select * from t where id = ? and name = ?");
    EXPECT_EQ(fingerprint("select * from t where id = $1 and name=$2"),
              "select * from t where id = ? and name = ?");
    EXPECT_EQ(fingerprint("SELECT a FROM t WHERE id IN (1, 2, 3)"),
              fingerprint("select a from t where id in (7)"));
    EXPECT_EQ(fingerprint("SELECT ARRAY[1, 2]"), "select array[?...]");
    EXPECT_EQ(fingerprint("SELECT f(1, 2)"), "select f (?, ?)");
    EXPECT_EQ(fingerprint("SELECT \"Mixed\".a::text FROM x"), "select \"Mixed\".a::text from x");
}

TEST(ShadowOrderBy, OnlyATopLevelOrderByOrdersRows) {
    EXPECT_TRUE(orders_rows("SELECT * FROM t ORDER BY id"));
    EXPECT_TRUE(orders_rows("(SELECT 1) UNION (SELECT 2) order by 1 limit 5"));
    EXPECT_FALSE(orders_rows("SELECT * FROM (SELECT * FROM t ORDER BY id) s"));
    EXPECT_FALSE(
        orders_rows("SELECT row_number() OVER (ORDER BY id), array_agg(x ORDER BY y) FROM t"));
    EXPECT_FALSE(orders_rows("SELECT 'ORDER BY' FROM t"));
}

}  // namespace
}  // namespace pgflip::shadow
