// verify's decisions without a server: buckets, the lag-versus-difference verdict, multisets,
// table patterns, schema and sequence diffs, WAL positions, the report.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "verify/buckets.hpp"
#include "verify/keyless.hpp"
#include "verify/replication.hpp"
#include "verify/report.hpp"
#include "verify/rows.hpp"
#include "verify/schema.hpp"
#include "verify/sequences.hpp"
#include "verify/table_filter.hpp"

namespace pgflip::verify {
namespace {

TEST(VerifyBuckets, SmallTablesAreOneBucketLargeOnesManyButBounded) {
    Table t;
    t.reltuples = 100;
    EXPECT_EQ(bucket_target(t), 1);
    t.reltuples = 2'000'000;
    EXPECT_EQ(bucket_target(t), 100);
    t.reltuples = 10'000'000'000LL;
    EXPECT_EQ(bucket_target(t), 20000);
    t.reltuples = -1;  // never analyzed: guessed from its size
    t.bytes = 64LL * 1'000'000;
    EXPECT_EQ(bucket_target(t), 50);
}

TEST(VerifyBuckets, HashMasksArePowersOfTwoMinusOne) {
    EXPECT_EQ(hash_mask(0, 20000), 0);
    EXPECT_EQ(hash_mask(20000, 20000), 0);
    EXPECT_EQ(hash_mask(20001, 20000), 1);
    EXPECT_EQ(hash_mask(1'000'000, 20000), 63);
    EXPECT_EQ(hash_mask(1LL << 40, 1), (1LL << 16) - 1);
}

TEST(VerifyBuckets, RangesFollowWidthBucketNumbering) {
    const std::vector<std::string> bounds = {"10", "20"};
    EXPECT_EQ(range_of(bounds, 0).lower, std::nullopt);
    EXPECT_EQ(range_of(bounds, 0).upper, "10");
    EXPECT_EQ(range_of(bounds, 1).lower, "10");
    EXPECT_EQ(range_of(bounds, 1).upper, "20");
    EXPECT_EQ(range_of(bounds, 2).lower, "20");
    EXPECT_EQ(range_of(bounds, 2).upper, std::nullopt);
    EXPECT_EQ(quantile_fractions(4), "{0.25,0.5,0.75}");
    EXPECT_EQ(quantile_fractions(1), "{}");
}

TEST(VerifyBuckets, MismatchesIncludeBucketsOnOneSideOnly) {
    BucketSums blue = {{0, {5, "10", "1"}}, {1, {3, "7", "2"}}, {2, {1, "1", "1"}}};
    BucketSums green = {{0, {5, "10", "1"}}, {1, {3, "8", "2"}}, {3, {1, "1", "1"}}};
    EXPECT_EQ(mismatched(blue, green), (std::vector<long long>{1, 2, 3}));
    EXPECT_EQ(total_rows(blue), 9);
}

TEST(VerifyBuckets, SamplesEnoughRowsAndPages) {
    Table t;
    t.reltuples = 1'000'000;
    t.bytes = 8192LL * 10'000;
    EXPECT_NEAR(sample_percent(t, 50), 1.0, 1e-9);  // 50 buckets x 2 pages of 10000
    t.bytes = 8192LL * 1000;
    EXPECT_NEAR(sample_percent(t, 50), 10.0, 1e-9);  // 50 x 2 pages of 1000
    t.bytes = 8192LL * 1'000'000;
    EXPECT_NEAR(sample_percent(t, 50), 0.15, 1e-9);  // 50 x 30 rows of 1M
    EXPECT_EQ(sample_percent(t, 100000), 100.0);
}

// ---- the lag-versus-difference verdict ---------------------------------------------------------

const RowState v1{"h1", "100"};
const RowState v1_same_version{"h1", "100"};
const RowState v2{"h2", "200"};
const RowState v2_other_hash{"h9", "100"};

TEST(VerifyVerdict, WithoutReplicationOneReadDecides) {
    EXPECT_EQ(judge(&v1, &v1, nullptr, false), Verdict::equal);
    EXPECT_EQ(judge(&v1, nullptr, nullptr, false), Verdict::missing_on_green);
    EXPECT_EQ(judge(nullptr, &v1, nullptr, false), Verdict::extra_on_green);
    EXPECT_EQ(judge(&v1, &v2, nullptr, false), Verdict::changed);
}

TEST(VerifyVerdict, ARowUnchangedOnBlueAcrossTheRoundIsARealDifference) {
    EXPECT_EQ(judge(&v1, nullptr, &v1_same_version, true), Verdict::missing_on_green);
    EXPECT_EQ(judge(&v1, &v2_other_hash, &v1_same_version, true), Verdict::changed);
}

TEST(VerifyVerdict, ARowRewrittenOnBlueMeanwhileIsLookedAtAgain) {
    EXPECT_EQ(judge(&v1, &v2, &v2, true), Verdict::unsettled);          // updated on blue
    EXPECT_EQ(judge(&v1, nullptr, nullptr, true), Verdict::unsettled);  // deleted on blue
    EXPECT_EQ(judge(nullptr, &v2, &v2, true), Verdict::unsettled);      // inserted on blue
}

TEST(VerifyRounds, UnderReplicationADifferenceCountsWhenTwoRoundsInARowSeeIt) {
    const Key hot{"60000"};
    const Key tampered{"500"};
    std::set<Key> pending;
    KeyedOutcome out;
    // Round 1: green already applied a commit blue has not made visible yet (blue's two reads
    // show the same old version), and a row really changed on green.
    RoundReads first{{{hot, v1}, {tampered, v1}},
                     {{hot, v2}, {tampered, v2_other_hash}},
                     {{hot, v1_same_version}, {tampered, v1_same_version}}};
    auto again = judge_round(first, true, pending, out);
    EXPECT_TRUE(out.differences.empty());
    EXPECT_EQ(again, (std::vector<Key>{tampered, hot}));
    // Round 2: blue shows the commit now; the tampered row still differs.
    RoundReads second{{{hot, v2}, {tampered, v1}},
                      {{hot, v2}, {tampered, v2_other_hash}},
                      {{tampered, v1_same_version}}};
    again = judge_round(second, true, pending, out);
    EXPECT_TRUE(again.empty());
    EXPECT_EQ(out.differences, (std::map<Key, Verdict>{{tampered, Verdict::changed}}));
}

TEST(VerifyRounds, WithoutReplicationOneRoundDecides) {
    std::set<Key> pending;
    KeyedOutcome out;
    RoundReads reads{{{Key{"1"}, v1}}, {{Key{"1"}, v2}}, {}};
    EXPECT_TRUE(judge_round(reads, false, pending, out).empty());
    EXPECT_EQ(out.differences, (std::map<Key, Verdict>{{Key{"1"}, Verdict::changed}}));
}

TEST(VerifyVerdict, ARowOnlyOnGreenNeedsASecondRound) {
    // It may have been inserted and deleted on blue inside the round.
    EXPECT_EQ(judge(nullptr, &v1, nullptr, true), Verdict::extra_pending);
}

TEST(VerifyRows, DifferingKeysCoverBothSides) {
    RowMap blue = {{{"1"}, v1}, {{"2"}, v1}, {{"3"}, v1}};
    RowMap green = {{{"1"}, v1}, {{"2"}, v2}, {{"4"}, v1}};
    EXPECT_EQ(differing_keys(blue, green), (std::vector<Key>{{"2"}, {"3"}, {"4"}}));
}

TEST(VerifyRows, KeyParamsAreOneTextArrayPerKeyColumn) {
    const auto params = key_params({{"1", "a,b"}, {"2", "c\"d"}}, 2);
    ASSERT_EQ(params.size(), 2U);
    EXPECT_EQ(*params[0], R"({"1","2"})");
    EXPECT_EQ(*params[1], R"({"a,b","c\"d"})");
}

TEST(VerifyKeyless, MultisetsDifferByCopies) {
    const auto d = diff_multisets({{"a", 2}, {"b", 1}}, {{"a", 1}, {"b", 1}, {"c", 3}});
    ASSERT_EQ(d.size(), 2U);
    EXPECT_EQ(d.at("a"), (Copies{2, 1}));
    EXPECT_EQ(d.at("c"), (Copies{0, 3}));
}

TEST(VerifyKeyless, OnlyDifferencesSeenTheSameWayInBothRoundsRemain) {
    HashDiff first = {{"a", {2, 1}}, {"b", {0, 1}}, {"c", {1, 0}}};
    HashDiff second = {{"a", {3, 2}}, {"b", {1, 0}}, {"d", {0, 1}}};
    const auto both = intersect(first, second);
    ASSERT_EQ(both.size(), 1U);
    EXPECT_TRUE(both.count("a"));
}

// ---- patterns, schema, sequences, positions ---------------------------------------------------

TEST(VerifyTableFilter, PatternsSplitAtUnquotedDots) {
    auto p = parse_table_pattern(R"("My ""Schema"".x"."a.b")");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->schema, "My \"Schema\".x");
    EXPECT_EQ(p->table, "a.b");
    EXPECT_TRUE(matches(*p, "My \"Schema\".x", "a.b"));
    auto any_schema = parse_table_pattern("ord*");
    ASSERT_TRUE(any_schema);
    EXPECT_TRUE(matches(*any_schema, "sales", "orders"));
    EXPECT_FALSE(matches(*any_schema, "sales", "Orders"));
    EXPECT_FALSE(parse_table_pattern("\"open"));
    EXPECT_FALSE(parse_table_pattern("a.b.c"));
    EXPECT_FALSE(parse_table_pattern(""));
    EXPECT_TRUE(selected({}, "s", "t"));
}

TEST(VerifySchema, ReportsMissingExtraAndDifferentObjects) {
    SchemaObjects blue = {{"column\x1fpublic.t.a", "integer"},
                          {"index\x1fpublic.i", "CREATE INDEX"},
                          {"view\x1fpublic.v", "SELECT t.a FROM t"}};
    SchemaObjects green = {{"column\x1fpublic.t.a", "bigint"},
                           {"table\x1fpublic.u", "table"},
                           {"view\x1fpublic.v", "SELECT a FROM t"}};
    SchemaResult r = diff_schema(blue, green, false);
    ASSERT_EQ(r.diffs.size(), 3U);  // the view's deparse differs across majors: not a difference
    EXPECT_EQ(r.diffs[0].kind, "column");
    EXPECT_EQ(r.diffs[0].green, "bigint");
    EXPECT_EQ(r.diffs[1].kind, "index");
    EXPECT_TRUE(r.diffs[1].green.empty());
    EXPECT_EQ(r.diffs[2].name, "public.u");
    EXPECT_EQ(r.notes.size(), 1U);
    EXPECT_EQ(diff_schema(blue, green, true).diffs.size(), 4U);
}

TEST(VerifySequences, BehindCountsOnlyWithoutReplication) {
    SequenceValues blue = {{"public.a", "10"}, {"public.b", "5"}, {"public.c", std::nullopt}};
    SequenceValues green = {{"public.a", "10"}, {"public.b", "4"}, {"public.c", "1"}};
    SequencesResult r = diff_sequences(blue, green, true);
    ASSERT_EQ(r.sequences.size(), 3U);
    EXPECT_EQ(r.sequences[0].status, SequenceStatus::equal);
    EXPECT_EQ(r.sequences[1].status, SequenceStatus::behind);
    EXPECT_EQ(r.sequences[2].status, SequenceStatus::ahead);
    EXPECT_FALSE(is_difference(r.sequences[1], true));
    EXPECT_TRUE(is_difference(r.sequences[1], false));
}

TEST(VerifyReplication, AnInsertPositionPastAPageHeaderMeansThePageStart) {
    EXPECT_EQ(required_position(pg::Lsn{8192 * 5 + 24}, 8192).value, 8192U * 5);
    EXPECT_EQ(required_position(pg::Lsn{8192 * 5 + 40}, 8192).value, 8192U * 5);
    EXPECT_EQ(required_position(pg::Lsn{8192 * 5 + 41}, 8192).value, 8192U * 5 + 41);
    EXPECT_EQ(required_position(pg::Lsn{8192 * 5}, 8192).value, 8192U * 5);
}

// ---- report -----------------------------------------------------------------------------------

Report report_with(TableStatus status) {
    Report r;
    r.data.ran = true;
    TableResult t;
    t.name = "public.t";
    t.status = status;
    t.key_columns = {"id", "region"};
    t.column_names = {"id", "region", "amount"};
    RowDiff d;
    d.kind = RowDiffKind::changed;
    d.key = {"7", "eu"};
    d.columns = {"amount"};
    d.blue_values = {"7", "eu", "10.00"};
    d.green_values = {"7", "eu", "11.00"};
    t.rows.push_back(d);
    t.differences = 1;
    r.data.tables.push_back(t);
    return r;
}

TEST(VerifyReport, KeysPrintLikePostgresDetails) {
    EXPECT_EQ(format_key({"id", "region"}, {"7", "eu"}), "(id, region)=(7, eu)");
}

TEST(VerifyReport, OnlyProvenDifferencesFail) {
    EXPECT_TRUE(has_differences(report_with(TableStatus::differs)));
    EXPECT_TRUE(has_differences(report_with(TableStatus::error)));
    EXPECT_FALSE(has_differences(report_with(TableStatus::unsettled)));
    EXPECT_FALSE(has_differences(report_with(TableStatus::equal)));
}

TEST(VerifyReport, TextShowsValuesOnlyOnRequest) {
    const Report r = report_with(TableStatus::differs);
    const std::string plain = render_text(r, {false, 20});
    EXPECT_NE(plain.find("changed           (id, region)=(7, eu)  columns: amount"),
              std::string::npos)
        << plain;
    EXPECT_EQ(plain.find("10.00"), std::string::npos);
    const std::string shown = render_text(r, {true, 20});
    EXPECT_NE(shown.find("amount: blue 10.00 green 11.00"), std::string::npos) << shown;
    const auto j = to_json(r);
    EXPECT_FALSE(j["ok"].get<bool>());
    EXPECT_EQ(j["data"]["tables"][0]["rows"][0]["key"][1], "eu");
}

}  // namespace
}  // namespace pgflip::verify
