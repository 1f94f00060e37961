// pgflip rollback: the flip back from green to blue through the reverse subscription, with the
// same steps and guarantees as the cutover (cmd_cutover.cpp holds what both share).
#include "cli/commands.hpp"

namespace pgflip::cli {

int run_rollback(const GlobalOptions& global, const FlipOptions& options) {
    return run_flip_command(global, options, true);
}

}  // namespace pgflip::cli
