// The sandbox: a local blue + green + PgBouncer in transaction mode, a demo application schema,
// an optional steady write load through the pooler, and a ready pgflip.toml. For trying pgflip
// and for the README's main command.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.hpp"

namespace pgflip::sandbox {

namespace fs = std::filesystem;

struct Options {
    fs::path dir = "sandbox";
    int blue_major = 14;
    int green_major = 16;
    int load_clients = 0;  //!< pgbench clients writing through the pooler (0: no load)
    int load_rate = 200;   //!< transactions per second of the whole load
};

//! What `up` and `status` report.
struct Description {
    std::string blue, green, pooler_admin, app_through_pooler;  //!< conninfo, no secrets
    fs::path config;                                            //!< the pgflip.toml written
    int blue_major = 0, green_major = 0;
    bool blue_running = false, green_running = false, pooler_running = false;
    bool load_running = false;
};

//! Starts everything (or reports what already runs).
Result<Description> up(const Options& options);
//! Stops the load, the pooler and both clusters, and removes the directory.
Status down(const fs::path& dir);
Result<Description> status(const fs::path& dir);

}  // namespace pgflip::sandbox
