// A scratch directory for tests, unit and integration alike: made fresh under /tmp, removed with
// everything in it when the object goes.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

namespace pgflip::test {

class TempDir {
  public:
    explicit TempDir(const std::string& purpose) {
        std::string templ = "/tmp/pgflip-" + purpose + "-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = templ;
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }
    //! Writes `text` to `name` in the directory; returns its path.
    [[nodiscard]] std::filesystem::path file(const std::string& name,
                                             const std::string& text) const {
        std::ofstream(path_ / name, std::ios::binary) << text;
        return path_ / name;
    }

  private:
    std::filesystem::path path_;
};

}  // namespace pgflip::test
