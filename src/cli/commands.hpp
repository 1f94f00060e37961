// The subcommands, each implemented in its own cmd_<name>.cpp; main.cpp only parses flags.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace pgflip::cli {

//! Exit codes of every command.
enum ExitCode : int { kOk = 0, kFailure = 1, kUsage = 2 };

struct GlobalOptions {
    config::Overrides overrides;
    bool json = false;
    int verbose = 0;
};

struct CheckOptions {
    bool strict = false;  //!< warnings count as findings too (exit 1)
};

struct SandboxOptions {
    std::string action;  //!< up, down, status
    std::string dir = "sandbox";
    int blue_major = 14;
    int green_major = 16;
    int load_clients = 0;     //!< clients of the steady write load (0: none)
    bool foreground_load = false;
};

int run_check(const GlobalOptions& global, const CheckOptions& options);
int run_sandbox(const GlobalOptions& global, const SandboxOptions& options);

}  // namespace pgflip::cli
