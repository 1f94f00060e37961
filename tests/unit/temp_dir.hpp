// A fixture for unit tests that need a scratch directory: made fresh under /tmp, removed after.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace pgflip::test {

class TempDirTest : public ::testing::Test {
  protected:
    void SetUp() override {
        std::string tmpl = "/tmp/pgflip-unit-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }

    std::filesystem::path dir_;  //!< the scratch directory
};

}  // namespace pgflip::test
