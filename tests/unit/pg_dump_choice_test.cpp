// Which pg_dump setup uses: parsing `pg_dump --version` and choosing among those found.
#include <gtest/gtest.h>

#include "catalog/pg_dump.hpp"

namespace pgflip::catalog {
namespace {

TEST(PgDumpVersion, ParsesDebianAndPlainBuilds) {
    auto d = parse_pg_tool_version("pg_dump", "/x",
                                   "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)\n");
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(d->major, 15);
    EXPECT_EQ(d->version, "15.20");
    auto beta = parse_pg_tool_version("pg_dump", "/y", "pg_dump (PostgreSQL) 18beta1\n");
    ASSERT_TRUE(beta.has_value());
    EXPECT_EQ(beta->major, 18);
    EXPECT_FALSE(parse_pg_tool_version("pg_dump", "/z", "psql (PostgreSQL) 15.2\n").has_value());
}

std::vector<PgDump> dumps(std::initializer_list<int> majors) {
    std::vector<PgDump> out;
    for (int m : majors) out.push_back({"/pg" + std::to_string(m), m, std::to_string(m) + ".1"});
    return out;
}

TEST(PgDumpChoice, PrefersGreensMajor) {
    EXPECT_EQ(choose_pg_dump(dumps({15, 17, 18}), 14, 17)->major, 17);
}

TEST(PgDumpChoice, ElseTheNewestNotNewerThanGreen) {
    EXPECT_EQ(choose_pg_dump(dumps({14, 15, 16, 18}), 14, 17)->major, 16);
}

TEST(PgDumpChoice, ElseTheOldestNewerThanGreen) {
    EXPECT_EQ(choose_pg_dump(dumps({18, 19}), 14, 17)->major, 18);
}

TEST(PgDumpChoice, NeverOneOlderThanBlue) {
    EXPECT_FALSE(choose_pg_dump(dumps({12, 13}), 14, 17).has_value());
    EXPECT_FALSE(choose_pg_dump({}, 14, 17).has_value());
}

}  // namespace
}  // namespace pgflip::catalog
