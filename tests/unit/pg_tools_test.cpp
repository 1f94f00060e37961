// Finding PostgreSQL client programs: version parsing, and probing fake programs on PATH.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "common/pg_tools.hpp"
#include "temp_dir.hpp"

namespace pgflip {
namespace {

namespace fs = std::filesystem;

//! A name no real PostgreSQL install has, so only the fakes on PATH are found.
constexpr const char* fake = "pgflip-fake-tool";

TEST(PgToolVersion, ParsesTheNamedProgramOnly) {
    auto bench = parse_pg_tool_version("pgbench", "/b", "pgbench (PostgreSQL) 16.4\n");
    ASSERT_TRUE(bench.has_value());
    EXPECT_EQ(bench->path, "/b");
    EXPECT_EQ(bench->major, 16);
    EXPECT_EQ(bench->version, "16.4");
    EXPECT_FALSE(parse_pg_tool_version("pgbench", "/d", "pg_dump (PostgreSQL) 16.4\n"));
    EXPECT_FALSE(parse_pg_tool_version("pgbench", "/e", "pgbench 16.4\n"));
}

TEST(PgToolNewest, TheNewestNotOlderThanAsked) {
    const std::vector<PgTool> found = {{"/a", 15, "15.1"}, {"/b", 17, "17.0"}, {"/c", 17, "17.2"}};
    EXPECT_EQ(newest_pg_tool(found)->path, "/b");
    EXPECT_EQ(newest_pg_tool(found, 17)->path, "/b");
    EXPECT_FALSE(newest_pg_tool(found, 18).has_value());
    EXPECT_FALSE(newest_pg_tool({}).has_value());
}

//! Fake programs in subdirectories of a scratch directory; PATH is restored afterwards.
class PgToolsFind : public test::TempDirTest {
  protected:
    void SetUp() override {
        TempDirTest::SetUp();
        const char* path = std::getenv("PATH");
        saved_path_ = path != nullptr ? path : "";
    }
    void TearDown() override {
        ::setenv("PATH", saved_path_.c_str(), 1);
        TempDirTest::TearDown();
    }

    //! `dir_/sub/fake`, a script that runs `body`.
    fs::path script(const std::string& sub, const std::string& body, mode_t mode = 0755) {
        fs::create_directories(dir_ / sub);
        const fs::path path = dir_ / sub / fake;
        std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
        ::chmod(path.c_str(), mode);
        return path;
    }
    void use_path(const std::vector<std::string>& subs) {
        std::string path;
        for (const auto& sub : subs) path += (path.empty() ? "" : ":") + (dir_ / sub).string();
        ::setenv("PATH", path.c_str(), 1);
    }

    std::string saved_path_;
};

TEST_F(PgToolsFind, AsksEachOnPathOnceAndSkipsTheUnusable) {
    const auto v15 = script("a", std::string("echo '") + fake + " (PostgreSQL) 15.20'");
    const auto v17 = script("b", std::string("echo '") + fake + " (PostgreSQL) 17.1'");
    script("c", "exit 1");                                                    // fails
    script("d", std::string("echo '") + fake + " (PostgreSQL) 18.0'", 0644);  // not executable
    script("e", "echo 'something else 19.0'");                                // not ours
    fs::create_directories(dir_ / "f");
    fs::create_symlink(v17, dir_ / "f" / fake);  // the same file again
    use_path({"a", "b", "c", "d", "e", "f", "missing"});

    const auto found = find_pg_tools(fake);
    ASSERT_EQ(found.size(), 2U);
    EXPECT_EQ(found[0].path, v15.string());
    EXPECT_EQ(found[0].version, "15.20");
    EXPECT_EQ(found[1].path, v17.string());
    EXPECT_EQ(found[1].major, 17);
    EXPECT_EQ(find_pg_tool(fake)->path, v17.string());
    EXPECT_FALSE(find_pg_tool(fake, 18).has_value());
}

TEST_F(PgToolsFind, TheConfiguredOneAlone) {
    script("a", std::string("echo '") + fake + " (PostgreSQL) 17.1'");
    const auto v15 = script("b", std::string("echo '") + fake + " (PostgreSQL) 15.2'");
    use_path({"a"});
    const auto found = find_pg_tools(fake, v15.string());
    ASSERT_EQ(found.size(), 1U);
    EXPECT_EQ(found[0].major, 15);
    EXPECT_TRUE(find_pg_tools(fake, (dir_ / "missing").string()).empty());
}

}  // namespace
}  // namespace pgflip
