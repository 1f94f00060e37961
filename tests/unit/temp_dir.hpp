// A fixture for unit tests that need a scratch directory: made fresh under /tmp, removed after.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>

#include "scratch_dir.hpp"

namespace pgflip::test {

class TempDirTest : public ::testing::Test {
  protected:
    TempDir scratch_{"unit"};
    const std::filesystem::path dir_ = scratch_.path();  //!< the scratch directory
};

}  // namespace pgflip::test
