// pgflip watchdog: started by cutover and rollback before the first PAUSE; settles the flip if
// the run that started it dies (cutover/watchdog.hpp).
#include <cstdio>

#include "cli/commands.hpp"
#include "cutover/watchdog.hpp"

namespace pgflip::cli {

int run_watchdog(const GlobalOptions& global, const WatchdogOptions& options) {
    auto config = config::load(global.overrides, config::process_env());
    if (!config.ok()) {
        std::fprintf(stderr, "pgflip watchdog: %s\n", config.error().str().c_str());
        return kUsage;
    }
    return cutover::run_watchdog(*config, config->state_dir, options.ready_fd);
}

}  // namespace pgflip::cli
