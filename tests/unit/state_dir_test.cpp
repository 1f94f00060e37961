// The state directory is its owner's alone: it holds a schema dump (which can carry passwords)
// and the journal. pgflip creates it 0700, tightens one of the user's own, and refuses one it
// may not change that others can read.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include "state/state_dir.hpp"
#include "temp_dir.hpp"

namespace pgflip::state {
namespace {

class StateDirMode : public test::TempDirTest {
  protected:
    [[nodiscard]] static unsigned mode_of(const std::filesystem::path& p) {
        struct stat st {};
        EXPECT_EQ(::stat(p.c_str(), &st), 0);
        return st.st_mode & 07777;
    }
};

TEST_F(StateDirMode, CreatesAMissingDirectoryForItsOwnerOnly) {
    const auto path = dir_ / "new" / "state";
    auto opened = StateDir::open(path);
    ASSERT_TRUE(opened.ok()) << opened.error().str();
    EXPECT_EQ(mode_of(path), 0700U);
}

TEST_F(StateDirMode, TightensAnExistingDirectoryOfTheUsersOwn) {
    const auto path = dir_ / "made-by-hand";
    ASSERT_EQ(::mkdir(path.c_str(), 0755), 0);
    ASSERT_EQ(::chmod(path.c_str(), 0755), 0);  // whatever the umask
    auto opened = StateDir::open(path);
    ASSERT_TRUE(opened.ok()) << opened.error().str();
    EXPECT_EQ(mode_of(path), 0700U);
}

TEST_F(StateDirMode, RefusesASharedStickyDirectoryAndLeavesItAlone) {
    const auto path = dir_ / "shared";
    ASSERT_EQ(::mkdir(path.c_str(), 0700), 0);
    ASSERT_EQ(::chmod(path.c_str(), 01777), 0);  // as /tmp
    auto opened = StateDir::open(path);
    ASSERT_FALSE(opened.ok());
    EXPECT_NE(opened.error().message.find("can be read by other users (mode 1777)"),
              std::string::npos)
        << opened.error().str();
    EXPECT_NE(opened.error().fix.find("--state-dir"), std::string::npos);
    EXPECT_EQ(mode_of(path), 01777U);
}

}  // namespace
}  // namespace pgflip::state
