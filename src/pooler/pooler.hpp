// The poolers pgflip flips: PgBouncer through its admin console, or a generic switch command
// (DNS, HAProxy, a service registry). All of them are paused, switched and resumed in parallel.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "pg/connection.hpp"

namespace pgflip::pooler {

//! Where a pooler sends the application's connections.
struct Target {
    std::string host;
    std::string port;
    std::string dbname;
    bool operator==(const Target&) const = default;
};

//! One pooler. Methods are called from one thread each; a pooler may be driven in parallel
//! with the others.
class Pooler {
  public:
    virtual ~Pooler() = default;
    [[nodiscard]] virtual const std::string& name() const = 0;
    //! Opens and warms everything the flip needs (admin connections, reads the ini), checks
    //! the settings the flip depends on. Called before the pause; changes nothing.
    virtual Status prepare(pg::Deadline deadline) = 0;
    //! Stops handing out server connections and waits until in-flight transactions end. On
    //! expiry of `drain_deadline` returns an error with SQLSTATE 57014 and leaves the pooler
    //! RESUMEd (nothing changed), after dropping the hung admin connection (pgbouncer #715).
    virtual Status pause(pg::Deadline drain_deadline) = 0;
    //! Optional, before pause(): does ahead whatever switch_to(target) can (PgBouncer: writes
    //! and fsyncs the new ini beside the old one), so the switch inside the pause is shorter.
    virtual Status stage_switch(const Target& /*target*/, pg::Deadline /*deadline*/) { return {}; }
    //! Points the pooler at `target` (atomic ini rewrite + RELOAD, or the switch command).
    virtual Status switch_to(const Target& target, pg::Deadline deadline) = 0;
    //! Lets clients through again. Safe to call when not paused.
    virtual Status resume(pg::Deadline deadline) = 0;
    //! Where the pooler points now (from the ini or the last switch).
    virtual Result<Target> current_target(pg::Deadline deadline) = 0;
    //! Backend pids on blue that hold the pause up, when the pooler can tell (else empty).
    virtual std::vector<int> blocking_server_pids() { return {}; }
};

//! Builds the driver for one configured pooler.
Result<std::unique_ptr<Pooler>> make_pooler(const config::Pooler& config);

//! Runs `op` on every pooler in parallel; the first error wins, all are waited for.
Status for_all(std::vector<std::unique_ptr<Pooler>>& poolers,
               const std::function<Status(Pooler&)>& op);

}  // namespace pgflip::pooler
