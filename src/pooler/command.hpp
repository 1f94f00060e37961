// The generic pooler: operator-supplied shell commands (DNS update, HAProxy map, service registry)
// run with the new target in PGFLIP_TARGET_HOST / PGFLIP_TARGET_PORT / PGFLIP_TARGET_DBNAME and
// killed, with everything they started in their process group, when their deadline passes.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "config/config.hpp"
#include "pg/connection.hpp"
#include "pooler/pooler.hpp"

namespace pgflip::pooler {

//! Runs `command` through /bin/sh -c with `env` added to ours. Fails on a non-zero exit (the
//! message quotes its last line of output) and, with SQLSTATE 57014, when the deadline killed it.
Status run_command(const std::string& command, const std::map<std::string, std::string>& env,
                   pg::Deadline deadline);

class CommandPooler final : public Pooler {
  public:
    explicit CommandPooler(config::Pooler config);

    [[nodiscard]] const std::string& name() const override { return config_.name; }
    //! Checks that /bin/sh is there; runs nothing.
    Status prepare(pg::Deadline deadline) override;
    //! Runs pause_command, when given; on failure runs resume_command and reports the failure.
    Status pause(pg::Deadline drain_deadline) override;
    //! Runs switch_command with the target in the environment.
    Status switch_to(const Target& target, pg::Deadline deadline) override;
    //! Runs resume_command, when given.
    Status resume(pg::Deadline deadline) override;
    //! The last target switched to; an error before the first switch (a command cannot tell).
    Result<Target> current_target(pg::Deadline deadline) override;

  private:
    Status run(const char* what, const std::string& command, std::map<std::string, std::string> env,
               pg::Deadline deadline) const;

    config::Pooler config_;
    std::optional<Target> last_target_;
};

}  // namespace pgflip::pooler
