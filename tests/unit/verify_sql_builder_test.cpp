// The SQL verify generates: how each column enters the row hash, quoting, templates, ranges.
#include <gtest/gtest.h>

#include "verify/sql_builder.hpp"

namespace pgflip::verify {
namespace {

Column column(const std::string& quoted, const std::string& type, bool collatable = false) {
    Column c;
    c.name = quoted;
    c.quoted = quoted;
    c.type_sql = type;
    c.base_schema = "pg_catalog";
    c.base_type = type;
    c.base_type_sql = type;
    c.base_typtype = "b";
    c.collatable = collatable;
    return c;
}

Table keyed_table() {
    Table t;
    t.schema = "public";
    t.name = "odd \"t\"";
    t.qualified = R"(public."odd ""t""")";
    Column id = column("id", "int8");
    id.type_sql = "bigint";
    id.key_position = 1;
    t.columns = {id, column("\"select\"", "text", true)};
    return t;
}

TEST(VerifyRowHash, BuiltInTypesHashNativelyAndCollatableOnesUnderC) {
    EXPECT_EQ(hash_input(column("a", "int4")), HashInput::native);
    EXPECT_EQ(column_hash_term(column("a", "int4")), "t.a");
    EXPECT_EQ(column_hash_term(column("\"a b\"", "text", true)), "t.\"a b\" COLLATE \"C\"");
    EXPECT_EQ(hash_input(column("j", "jsonb")), HashInput::native);
    EXPECT_EQ(hash_input(column("n", "numeric")), HashInput::native);
}

TEST(VerifyRowHash, EnumsCompositesJsonAndIntervalsGoThroughText) {
    Column mood = column("m", "mood");
    mood.base_schema = "public";
    mood.base_typtype = "e";
    EXPECT_EQ(column_hash_term(mood), "t.m::text");  // an enum's hash would be its OID
    Column pair = column("p", "pair");
    pair.base_schema = "public";
    pair.base_typtype = "c";
    EXPECT_EQ(hash_input(pair), HashInput::text);
    EXPECT_EQ(hash_input(column("j", "json")), HashInput::text);      // json has no hash function
    EXPECT_EQ(hash_input(column("i", "interval")), HashInput::text);  // '1 day' = '24 hours'
}

TEST(VerifyRowHash, ArraysFollowTheirElementType) {
    Column ints = column("a", "_int4");
    ints.elem_schema = "pg_catalog";
    ints.elem_type = "int4";
    ints.elem_typtype = "b";
    EXPECT_EQ(hash_input(ints), HashInput::native);
    Column moods = column("m", "_mood");
    moods.elem_schema = "public";
    moods.elem_type = "mood";
    moods.elem_typtype = "e";
    EXPECT_EQ(hash_input(moods), HashInput::text);
}

TEST(VerifyRowHash, DomainsAreCastToTheirBaseType) {
    Column d = column("d", "int4");
    d.type_sql = "public.posint";
    d.base_type_sql = "integer";
    d.is_domain = true;
    EXPECT_EQ(column_hash_term(d), "(t.d)::integer");
}

TEST(VerifyRowHash, RowHashCombinesEveryColumnInOrderSeededByTheKey) {
    EXPECT_EQ(row_hash_expr(keyed_table()),
              "hash_record_extended(ROW(t.id, t.\"select\" COLLATE \"C\"), (t.id)::int8)");
    EXPECT_EQ(row_hash_expr(std::vector<Column>{}, "0"), "0::int8");
    EXPECT_EQ(key_hash_expr(keyed_table()), "hash_record_extended(ROW(t.id), 0)");
    EXPECT_EQ(hash_xor_expr(keyed_table()), "0::int8");  // seeded rows need no second summary
}

TEST(VerifyRowHash, OtherKeysSeedWithTheirHashAndKeylessTablesAddAnXor) {
    Table by_text = keyed_table();
    by_text.columns[0].key_position = 0;
    by_text.columns[1].key_position = 1;
    EXPECT_EQ(row_seed_expr(by_text), "hash_record_extended(ROW(t.\"select\" COLLATE \"C\"), 0)");
    Table keyless = keyed_table();
    keyless.columns[0].key_position = 0;
    EXPECT_EQ(row_seed_expr(keyless), "0");
    EXPECT_EQ(hash_xor_expr(keyless),
              "bit_xor(hash_record_extended(ROW(t.id, t.\"select\" COLLATE \"C\"), 0))");
}

TEST(VerifyTemplates, RenderReplacesPlaceholdersOnly) {
    EXPECT_EQ(render("SELECT {{a}} FROM {{b}} WHERE x = '{}'", {{"a", "1"}, {"b", "t"}}),
              "SELECT 1 FROM t WHERE x = '{}'");
    EXPECT_THROW(static_cast<void>(render("{{missing}}", {})), std::logic_error);
}

TEST(VerifyRanges, ConditionsBindBoundsAsParameters) {
    const Table t = keyed_table();
    Condition both = range_condition(t, {"10", "20"}, 1);
    EXPECT_EQ(both.sql, "t.id >= $1::bigint AND t.id < $2::bigint");
    EXPECT_EQ(both.params, (std::vector<std::string>{"10", "20"}));
    EXPECT_EQ(range_condition(t, {std::nullopt, "5"}, 3).sql, "t.id < $3::bigint");
    EXPECT_EQ(range_condition(t, {}, 1).sql, "true");
    Condition sub = sub_bucket_condition(t, both, 15, {2, 7});
    EXPECT_EQ(sub.sql,
              "t.id >= $1::bigint AND t.id < $2::bigint AND "
              "(hash_record_extended(ROW(t.id), 0) & $3::int8) = ANY ($4::int8[])");
    EXPECT_EQ(sub.params, (std::vector<std::string>{"10", "20", "15", R"({"2","7"})"}));
}

TEST(VerifyQueries, KeyLookupsJoinUnnestedTextArraysCastPerColumn) {
    const std::string sql = rows_by_key_sql(keyed_table());
    EXPECT_NE(sql.find(R"(FROM public."odd ""t""" AS t)"), std::string::npos) << sql;
    EXPECT_NE(sql.find("unnest($1::text[]) AS k(key1) ON t.id = k.key1::bigint"), std::string::npos)
        << sql;
    EXPECT_NE(sql.find("t.id::text AS key1"), std::string::npos) << sql;
}

TEST(VerifyQueries, PassOneQueriesNameTheTableOnce) {
    const Table t = keyed_table();
    EXPECT_NE(range_sums_sql(t).find("width_bucket(t.id, $1::bigint[])"), std::string::npos);
    EXPECT_NE(table_sums_sql(t).find("coalesce(sum(hash_record_extended"), std::string::npos);
    EXPECT_NE(hash_sums_sql(t, false, {"true", {}}).find("& $1::int8"), std::string::npos);
}

}  // namespace
}  // namespace pgflip::verify
