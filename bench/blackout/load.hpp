// The write load: pgbench's built-in TPC-B through PgBouncer (-M simple, transaction pooling),
// logging every transaction (-l) so that its logs can witness the blackout of each flip.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "common/result.hpp"
#include "gaps.hpp"
#include "process.hpp"

namespace pgflip::bench {

struct LoadOptions {
    fs::path pgbench;
    int port = 0;  //!< PgBouncer on 127.0.0.1
    std::string user;
    std::string dbname;
    int clients = 16;
    int threads = 2;
    int seconds = 60;
    int rate = 0;     //!< transactions per second of the whole load; 0: as fast as it goes
    fs::path dir;     //!< logs and output go here
    std::string tag;  //!< names this run's files
};

//! What pgbench said about one run.
struct LoadResult {
    int exit_code = 0;
    long long processed = 0;  //!< "number of transactions actually processed"
    long long failed = 0;     //!< "number of failed transactions"
    int aborted_clients = 0;  //!< "client N aborted ..." lines
    TxLog log;
    fs::path output;  //!< pgbench's stdout and stderr

    //! Client-visible errors of any kind.
    [[nodiscard]] long long errors() const { return failed + log.failed + aborted_clients; }
};

//! A pgbench run in the background.
class Load {
  public:
    static Result<Load> start(LoadOptions options);
    //! Waits for the run to end (its -T plus a grace period) and reads output and logs.
    Result<LoadResult> finish();
    //! When pgbench started, as a wall-clock time.
    [[nodiscard]] EpochMicros started() const { return started_; }

  private:
    Load(LoadOptions options, Child child, EpochMicros started)
        : options_(std::move(options)), child_(std::move(child)), started_(started) {}

    LoadOptions options_;
    Child child_;
    EpochMicros started_ = 0;
};

}  // namespace pgflip::bench
