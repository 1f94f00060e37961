// The logical replication messages setup reads after a crash to learn which tables changed.
#include <gtest/gtest.h>

#include <string>

#include "sync/stream.hpp"

namespace pgflip::sync {
namespace {

std::string be(std::uint64_t v, int bytes) {
    std::string out;
    for (int i = bytes - 1; i >= 0; --i) out += static_cast<char>((v >> (8 * i)) & 0xff);
    return out;
}

std::string xlog(const std::string& payload) {
    return "w" + be(0x10, 8) + be(0x20, 8) + be(0, 8) + payload;
}

TEST(SyncStream, BeginCarriesTheCommitLsn) {
    auto m = parse_stream_message(xlog("B" + be(0x16B374D848ULL, 8) + be(0, 8) + be(42, 4)));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, StreamMessage::Kind::data);
    EXPECT_EQ(m->tag, 'B');
    EXPECT_EQ(m->final_lsn, 0x16B374D848ULL);
}

TEST(SyncStream, ChangesNameTheirTable) {
    for (char tag : {'I', 'U', 'D', 'R'}) {
        auto m = parse_stream_message(xlog(std::string(1, tag) + be(16384, 4) + "N..."));
        ASSERT_TRUE(m) << tag;
        ASSERT_EQ(m->relids.size(), 1U) << tag;
        EXPECT_EQ(m->relids[0], 16384U) << tag;
    }
}

TEST(SyncStream, TruncateNamesEveryTable) {
    auto m = parse_stream_message(
        xlog("T" + be(3, 4) + std::string(1, '\0') + be(1, 4) + be(2, 4) + be(0xfffffff0U, 4)));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->relids, (std::vector<std::uint32_t>{1, 2, 0xfffffff0U}));
}

TEST(SyncStream, KeepaliveSaysHowFarTheServerIs) {
    auto m = parse_stream_message("k" + be(0xABCDEF, 8) + be(0, 8) + std::string(1, '\1'));
    ASSERT_TRUE(m);
    EXPECT_EQ(m->kind, StreamMessage::Kind::keepalive);
    EXPECT_EQ(m->wal_end, 0xABCDEFU);
    EXPECT_TRUE(m->reply_requested);
}

TEST(SyncStream, TruncatedMessagesAreRejected) {
    EXPECT_FALSE(parse_stream_message(""));
    EXPECT_FALSE(parse_stream_message("k" + be(1, 4)));
    EXPECT_FALSE(parse_stream_message(xlog("I" + be(1, 2))));
    EXPECT_FALSE(parse_stream_message(xlog("T" + be(2, 4) + std::string(1, '\0') + be(1, 4))));
    EXPECT_FALSE(parse_stream_message("x123"));
}

TEST(SyncStream, OtherMessagesCarryNoTables) {
    auto m = parse_stream_message(xlog("C" + std::string(17, '\0')));
    ASSERT_TRUE(m);
    EXPECT_TRUE(m->relids.empty());
}

TEST(SyncStream, StatusUpdateConfirmsNothing) {
    std::string s = status_update(0x0102030405060708ULL);
    ASSERT_EQ(s.size(), 1U + 8 * 4 + 1);
    EXPECT_EQ(s[0], 'r');
    EXPECT_EQ(s.substr(1, 24), std::string(24, '\0'));
    EXPECT_EQ(s.substr(25, 8), be(0x0102030405060708ULL, 8));
    EXPECT_EQ(s.back(), '\0');
}

}  // namespace
}  // namespace pgflip::sync
