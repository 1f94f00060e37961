#include <gtest/gtest.h>

#include "pg/lsn.hpp"

using pgflip::pg::Lsn;

TEST(Lsn, ParsesAndPrints) {
    auto l = Lsn::parse("16/B374D848");
    ASSERT_TRUE(l);
    EXPECT_EQ(l->value, (0x16ULL << 32) | 0xB374D848ULL);
    EXPECT_EQ(l->str(), "16/B374D848");
    EXPECT_EQ(Lsn::parse("0/0")->value, 0u);
}

TEST(Lsn, ComparesNumericallyNotAsText) {
    // As text "0/9000000" > "0/10000000"; as positions it is the other way round.
    auto a = *Lsn::parse("0/9000000");
    auto b = *Lsn::parse("0/10000000");
    EXPECT_LT(a, b);
    EXPECT_EQ(pgflip::pg::bytes_between(a, b), 0x10000000ULL - 0x9000000ULL);
    EXPECT_EQ(pgflip::pg::bytes_between(b, a), 0u);
}

TEST(Lsn, RejectsGarbage) {
    EXPECT_FALSE(Lsn::parse(""));
    EXPECT_FALSE(Lsn::parse("16"));
    EXPECT_FALSE(Lsn::parse("/1"));
    EXPECT_FALSE(Lsn::parse("1/"));
    EXPECT_FALSE(Lsn::parse("G/1"));
    EXPECT_FALSE(Lsn::parse("1/123456789"));
    EXPECT_FALSE(Lsn::parse("1/1 "));
}
