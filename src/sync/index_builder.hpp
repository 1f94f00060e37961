// Indexes and statistics built while the copy goes on. A table's indexes and key constraints
// need only that table's rows, so they are built as soon as its last item is committed on green,
// beside the copy of the other tables, instead of after all of them, and the table is analyzed
// right after: the index sorts fill the time the copy leaves idle (writers waiting on the
// relation extension lock, on WAL), and the big table's builds no longer run alone at the end.
// Setup copies the tables with the most index work first (plan.cpp) and hands each finished
// table to the builder, which restores that table's entries with pg_restore and then runs
// ANALYZE, one batch at a time: the tables that finished while a batch ran make the next one.
// Everything else (foreign keys, triggers, rules, partition attachments, partitions, tables with
// extended statistics) is restored and analyzed after the copy, as before.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "pg/connection.hpp"
#include "sync/console.hpp"
#include "sync/schema.hpp"
#include "sync/state.hpp"
#include "sync/tools.hpp"

namespace pgflip::sync {

//! The index and key-constraint entries among `entries`, by the oid of their table on blue;
//! only tables of `plan` that are not partitions (those have an entry, maybe empty).
Result<std::map<std::uint32_t, std::vector<TocEntry>>> index_entries_by_table(
    pg::Connection& blue, const std::vector<TocEntry>& entries, const Plan& plan,
    pg::Deadline deadline);

struct IndexBuildJob {
    const Tools* tools = nullptr;
    pg::Conninfo green;
    fs::path dump;      //!< the schema archive
    fs::path list_dir;  //!< where each batch's pg_restore list is written
    int jobs = 1;       //!< sessions of a batch once the copy is over; half while it runs
    const Plan* plan = nullptr;
    std::map<std::uint32_t, std::vector<TocEntry>> entries;  //!< by table oid on blue
    std::set<std::uint32_t> analyze_later;  //!< tables with extended statistics (restored later)
};

class IndexBuilder {
  public:
    IndexBuilder(IndexBuildJob job, Journal& journal, Console& console);
    IndexBuilder(const IndexBuilder&) = delete;
    IndexBuilder& operator=(const IndexBuilder&) = delete;
    ~IndexBuilder();

    //! The table's rows are all on green: its entries and ANALYZE go into the next batch (a
    //! table without an entry in the job is left for after the copy). Thread-safe.
    void table_done(std::uint32_t table_oid);
    //! Waits until every table handed over is done; the first failure, if any. With `cancel`,
    //! starts no further batch (the copy failed) and waits only for the running one.
    Status finish(bool cancel = false);
    //! The dump ids restored so far (complete once finish() has returned).
    [[nodiscard]] std::set<int> built() const;
    //! The tables analyzed so far.
    [[nodiscard]] std::set<std::uint32_t> analyzed() const;

  private:
    void run();
    Status build(const std::vector<std::uint32_t>& tables, int batch, bool copy_running);

    IndexBuildJob job_;
    Journal& journal_;
    Console& console_;
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::vector<std::uint32_t> queue_;
    bool closing_ = false;
    bool cancelled_ = false;
    std::optional<Error> error_;
    std::set<int> built_;
    std::set<std::uint32_t> analyzed_;
    std::thread thread_;
};

}  // namespace pgflip::sync
