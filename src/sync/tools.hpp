// The client programs setup runs: a pg_dump that can read blue's version (configured, or the
// best one installed), with the pg_restore and pg_dumpall beside it.
#pragma once

#include <string>

#include "common/result.hpp"
#include "config/config.hpp"

namespace pgflip::sync {

struct Tools {
    std::string pg_dump;
    std::string pg_restore;
    std::string pg_dumpall;
    int major = 0;        //!< their major version
    std::string version;  //!< e.g. "15.20"
};

//! Finds the tools for dumping a `blue_major` server into a `green_major` one.
Result<Tools> find_tools(const config::Config& config, int blue_major, int green_major);

}  // namespace pgflip::sync
