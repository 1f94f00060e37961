// The copy plan's arithmetic: block ranges cover every block exactly once, the last one open.
#include <gtest/gtest.h>

#include "sync/plan.hpp"

namespace pgflip::sync {
namespace {

constexpr long long kMiB = 1024 * 1024;

TEST(SyncSplitBlocks, SmallTableIsOneOpenRange) {
    auto ranges = split_blocks(100, 10 * kMiB, 64 * kMiB);
    ASSERT_EQ(ranges.size(), 1U);
    EXPECT_EQ(ranges[0].first, 0);
    EXPECT_EQ(ranges[0].end, -1);
}

TEST(SyncSplitBlocks, LargeTableCutIntoContiguousRangesEndingOpen) {
    auto ranges = split_blocks(1000, 640 * kMiB, 64 * kMiB);
    ASSERT_EQ(ranges.size(), 10U);
    long long next = 0;
    for (size_t i = 0; i + 1 < ranges.size(); ++i) {
        EXPECT_EQ(ranges[i].first, next);
        EXPECT_GT(ranges[i].end, ranges[i].first);
        next = ranges[i].end;
    }
    EXPECT_EQ(ranges.back().first, next);
    EXPECT_EQ(ranges.back().end, -1) << "rows in blocks added later must not be missed";
}

TEST(SyncSplitBlocks, ToastHeavyTableSplitsByBytesNotBlocks) {
    // 10 heap blocks pointing at 1 GiB of TOAST: cut by bytes, at most one range per block.
    auto ranges = split_blocks(10, 1024 * kMiB, 64 * kMiB);
    EXPECT_EQ(ranges.size(), 10U);
}

TEST(SyncSplitBlocks, NeverMoreRangesThanBlocks) {
    EXPECT_EQ(split_blocks(1, 500 * kMiB, kMiB).size(), 1U);
    EXPECT_EQ(split_blocks(0, 500 * kMiB, kMiB).size(), 1U);
    EXPECT_LE(split_blocks(3, 500 * kMiB, kMiB).size(), 3U);
}

TEST(SyncWorkBytes, ToastWeighsMoreThanHeap) {
    TablePlan t;
    t.heap_bytes = 100;
    t.toast_bytes = 10;
    EXPECT_EQ(work_bytes(t), 130);
}

TEST(SyncChunkBytes, RequestedWinsElseAnEighthOfAShareClamped) {
    EXPECT_EQ(choose_chunk_bytes(100LL * 1024 * kMiB, 4, 7 * kMiB), 7 * kMiB);
    EXPECT_EQ(choose_chunk_bytes(100 * kMiB, 4, 0), 16 * kMiB);  // small: minimum
    EXPECT_EQ(choose_chunk_bytes(32LL * 1024 * kMiB, 4, 0), 1024 * kMiB);
    EXPECT_EQ(choose_chunk_bytes(1024LL * 1024 * kMiB, 4, 0), 1024 * kMiB);  // maximum
    EXPECT_EQ(choose_chunk_bytes(8LL * 1024 * kMiB, 8, 0), 128 * kMiB);
}

}  // namespace
}  // namespace pgflip::sync
