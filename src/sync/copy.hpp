// The parallel copy: N workers, each with a blue session inside the exported snapshot and a
// green session, take work items largest first and stream COPY TO STDOUT from blue into COPY
// FROM STDIN on green. Each item is one green transaction that also records the item in
// pgflip.copy_done, so an item is on green entirely or not at all, and green knows which.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "pg/connection.hpp"
#include "sync/console.hpp"
#include "sync/state.hpp"

namespace pgflip::sync {

struct CopyJob {
    const Plan* plan = nullptr;
    std::vector<ItemPlan> items;  //!< still to copy, largest first
    pg::Conninfo blue;
    pg::Conninfo green;
    std::string snapshot;
    int generation = 1;  //!< of the snapshot, recorded with each item
    int jobs = 1;
    //! Called (from a worker thread) when the last item of a table is committed on green.
    std::function<void(std::uint32_t table_oid)> on_table_done;
};

struct CopyTotals {
    long long rows = 0;
    long long bytes = 0;  //!< COPY data moved
    int items = 0;
};

//! Copies every item of the job; the first failure stops the others.
Result<CopyTotals> run_copy(const CopyJob& job, Journal& journal, Console& console);

}  // namespace pgflip::sync
