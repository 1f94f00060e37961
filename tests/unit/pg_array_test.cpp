// The array text pgflip binds as $n::type[] parameters (cutover and verify both use it).
#include <gtest/gtest.h>

#include "pg/array.hpp"

using pgflip::pg::array_literal;

TEST(ArrayLiteral, QuotesEveryElement) {
    EXPECT_EQ(array_literal({}), "{}");
    EXPECT_EQ(array_literal({"a", "b c", "d\"e", "f\\g"}), R"({"a","b c","d\"e","f\\g"})");
    EXPECT_EQ(array_literal({"a", "b,c", "q\"uote", "back\\slash", "NULL", ""}),
              R"({"a","b,c","q\"uote","back\\slash","NULL",""})");
}
