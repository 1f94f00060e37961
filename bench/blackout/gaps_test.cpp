// The blackout arithmetic of bench/blackout: pgbench log lines and the longest gap around a flip.
#include <gtest/gtest.h>

#include "gaps.hpp"

namespace pgflip::bench {
namespace {

TEST(TxLine, CommittedFailedAndSkipped) {
    const auto ok = parse_tx_line("3 120 2154 0 1718000000 123456");
    ASSERT_TRUE(ok.has_value());
    EXPECT_TRUE(ok->committed);
    EXPECT_EQ(ok->end, 1718000000LL * 1000000 + 123456);

    const auto failed = parse_tx_line("0 7 failed 0 1718000001 5 0");
    ASSERT_TRUE(failed.has_value());
    EXPECT_FALSE(failed->committed);
    EXPECT_FALSE(failed->skipped);

    const auto skipped = parse_tx_line("0 8 skipped 0 1718000001 9 12");
    ASSERT_TRUE(skipped.has_value());
    EXPECT_TRUE(skipped->skipped);

    EXPECT_FALSE(parse_tx_line("garbage").has_value());
}

TEST(LongestGap, CountsTheGapsRunningIntoAndOutOfTheWindow) {
    const std::vector<EpochMicros> commits = {100, 110, 400, 405, 900, 910};
    EXPECT_EQ(longest_gap(commits, {300, 399}), 290);  // 110 -> 400 runs into the window
    EXPECT_EQ(longest_gap(commits, {300, 420}), 495);  // 405 -> 900 runs out of it
    EXPECT_EQ(longest_gap(commits, {402, 404}), 5);    // 400 -> 405 spans it
    EXPECT_EQ(longest_gap(commits, {500, 600}), 495);  // no commit inside: the gap spans it
    EXPECT_EQ(longest_gap(commits, {100, 110}), 290);
}

TEST(LongestGap, NothingWhenTheLoadEndedInsideTheWindow) {
    const std::vector<EpochMicros> commits = {100, 110, 400};
    EXPECT_FALSE(longest_gap(commits, {300, 500}).has_value());
    EXPECT_FALSE(longest_gap({}, {0, 1}).has_value());
}

TEST(Summarize, MedianAndWorst) {
    const auto odd = summarize({30, 10, 20});
    EXPECT_EQ(odd.n, 3);
    EXPECT_DOUBLE_EQ(odd.median_ms, 20);
    EXPECT_DOUBLE_EQ(odd.worst_ms, 30);
    EXPECT_DOUBLE_EQ(summarize({10, 40, 20, 30}).median_ms, 25);
    EXPECT_EQ(summarize({}).n, 0);
}

}  // namespace
}  // namespace pgflip::bench
