#include "sync/copy.hpp"

#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <thread>

#include "sql/queries.hpp"
#include "sync/plan.hpp"
#include "sync/progress.hpp"
#include "sync/session.hpp"

namespace pgflip::sync {

namespace {

constexpr size_t kBatchBytes = 256 * 1024;  // one PQputCopyData (and flush) per batch, not per row
constexpr int kAttempts = 3;                // per item, on connection errors only
// An item's time budget: 10 min + 1 min per MiB planned, i.e. at least ~17 kB/s per worker. It
// only catches a copy that hangs; a slow link (many jobs over a thin cross-region line) must not
// trip it.
constexpr long long kSecondsPerMiB = 60;

long long item_budget_s(const ItemPlan& item) {
    return 600 + item.est_bytes / (1024 * 1024) * kSecondsPerMiB;
}

pg::Deadline item_deadline(const ItemPlan& item) {
    return pg::after(pg::milliseconds(item_budget_s(item) * 1000));
}

nlohmann::json blocks_json(const ItemPlan& item) {
    if (item.whole) return nullptr;
    return {item.first_block,
            item.end_block < 0 ? nlohmann::json() : nlohmann::json(item.end_block)};
}

//! What the workers share.
struct Shared {
    Shared(const CopyJob& j, Journal& jr) : job(j), journal(jr) {}
    const CopyJob& job;
    Journal& journal;
    CopyCounters counters;
    std::atomic<size_t> next{0};
    std::atomic<bool> stop{false};
    std::mutex mutex;
    std::optional<Error> first_error;
    std::map<std::uint32_t, int> items_left;  //!< per table, in this run
    std::map<std::uint32_t, CopyTotals> table_totals;

    void fail(Error e) {
        std::lock_guard lock(mutex);
        if (!first_error) first_error = std::move(e);
        stop = true;
    }
};

//! Moves COPY data from blue's stream into green's, in batches.
class Pipe {
  public:
    Pipe(pg::Connection& green, Shared& shared, pg::Deadline deadline)
        : green_(green), shared_(shared), deadline_(deadline) {}

    bool operator()(std::string_view row) {
        buffer_.append(row);
        ++rows_;
        bytes_ += static_cast<long long>(row.size());
        if (buffer_.size() >= kBatchBytes && !flush().ok()) return false;
        return !shared_.stop.load(std::memory_order_relaxed);
    }

    Status flush() {
        if (!status_.ok() || buffer_.empty()) return status_;
        status_ = green_.put_copy_data(buffer_, deadline_);
        shared_.counters.stream_bytes += static_cast<long long>(buffer_.size());
        shared_.counters.rows += rows_ - rows_reported_;
        rows_reported_ = rows_;
        buffer_.clear();
        return status_;
    }

    [[nodiscard]] long long bytes() const { return bytes_; }

  private:
    pg::Connection& green_;
    Shared& shared_;
    pg::Deadline deadline_;
    std::string buffer_;
    Status status_;
    long long rows_ = 0;
    long long rows_reported_ = 0;
    long long bytes_ = 0;
};

class Worker {
  public:
    Worker(int index, Shared& shared) : index_(index), shared_(shared) {}

    void run() {
        for (;;) {
            size_t i = shared_.next++;
            if (i >= shared_.job.items.size() || shared_.stop) return;
            Status s = with_retries(shared_.job.items[i]);
            if (!s.ok()) return shared_.fail(s.take_error());
        }
    }

  private:
    Status open() {
        blue_.reset();
        green_.reset();
        auto deadline = pg::after(pg::milliseconds(30000));
        const CopyJob& job = shared_.job;
        auto blue = open_session(job.blue, Side::blue, "copy", deadline);
        if (!blue) return blue.take_error();
        PGFLIP_TRY(enter_snapshot(*blue, job.snapshot, deadline));
        auto green = open_session(job.green, Side::green, "copy", deadline);
        if (!green) return green.take_error();
        PGFLIP_TRY(exec(*green, "SET synchronous_commit = off", deadline));
        blue_ = std::move(blue).value();
        green_ = std::move(green).value();
        return {};
    }

    //! A lost connection is retried with a fresh session in the same snapshot (it stays
    //! importable while setup holds it); anything else ends the copy.
    Status with_retries(const ItemPlan& item) {
        for (int attempt = 1;; ++attempt) {
            Status s = (blue_ && green_) ? Status() : open();
            if (s.ok()) s = copy(item);
            if (s.ok() || attempt >= kAttempts || shared_.stop ||
                !s.error().is_connection_error()) {
                return s;
            }
            blue_.reset();
            green_.reset();
            std::uniform_int_distribution<int> jitter(0, 500);
            std::this_thread::sleep_for(pg::milliseconds(500 * attempt + jitter(rng_)));
        }
    }

    Status copy(const ItemPlan& item) {
        const TablePlan& table = *shared_.job.plan->table(item.table_oid);
        PGFLIP_TRY(shared_.journal.record("setup.copy_item", event(item, table, "started")));
        auto started = pg::Clock::now();
        auto deadline = item_deadline(item);
        auto copied = stream(item, table, deadline);
        if (!copied) {
            green_.reset();  // its transaction is in an unknown state: the server rolls it back
            Error e = copied.take_error();
            if (e.sqlstate == "57014" && pg::Clock::now() >= deadline) {
                e.message = "copying " + table.schema + "." + table.name + " (item " +
                            std::to_string(item.id) + ") took longer than its " +
                            std::to_string(item_budget_s(item) / 60) + " min budget: " + e.message;
                e.fix =
                    "look for what blocks it on blue or green (pg_stat_activity: a lock, a "
                    "stalled network); then run pgflip setup again, it resumes (with fewer --jobs "
                    "or a smaller --chunk-mb if the link is very slow)";
            }
            return e;
        }
        auto ms = std::chrono::duration_cast<pg::milliseconds>(pg::Clock::now() - started);
        return finished(item, table, *copied, ms.count());
    }

    //! One item: green transaction, COPY stream, the copy_done row, commit.
    Result<CopyTotals> stream(const ItemPlan& item, const TablePlan& table, pg::Deadline deadline) {
        PGFLIP_TRY(exec(*green_, "BEGIN", deadline));
        PGFLIP_TRY(green_->begin_copy_in(copy_in_sql(*green_, table), deadline));
        Pipe pipe(*green_, shared_, deadline);
        Status out = blue_->copy_out(copy_out_sql(*blue_, table, item), std::ref(pipe), deadline);
        PGFLIP_TRY(pipe.flush());
        PGFLIP_TRY(out);
        if (shared_.stop) return make_error(Side::local, "stopped: another worker failed");
        auto rows = green_->end_copy(deadline);
        if (!rows) return rows.take_error();
        const ItemDone done{item.id, table.oid, *rows, pipe.bytes(), shared_.job.generation};
        PGFLIP_TRY(record_done(done, deadline));
        PGFLIP_TRY(exec(*green_, "COMMIT", deadline));
        return CopyTotals{*rows, pipe.bytes(), 1};
    }

    struct ItemDone {
        int item;
        std::uint32_t table;
        long long rows;
        long long bytes;
        int generation;
    };

    Status record_done(const ItemDone& r, pg::Deadline deadline) {
        return exec(*green_, sql::sync_copy_done_insert,
                    {std::to_string(r.item), std::to_string(r.table), std::to_string(r.rows),
                     std::to_string(r.bytes), std::to_string(r.generation)},
                    deadline);
    }

    Status finished(const ItemPlan& item, const TablePlan& table, const CopyTotals& t,
                    long long ms) {
        auto& c = shared_.counters;
        c.done_stream_bytes += t.bytes;
        c.done_est_bytes += item.est_bytes;
        ++c.items_done;
        nlohmann::json fields = event(item, table, "done");
        fields.update({{"rows", t.rows}, {"bytes", t.bytes}, {"ms", ms}});
        PGFLIP_TRY(shared_.journal.record("setup.copy_item", fields));
        return table_progress(table, t);
    }

    //! Logs a table as done when its last item of this run is.
    Status table_progress(const TablePlan& table, const CopyTotals& t) {
        CopyTotals total;
        {
            std::lock_guard lock(shared_.mutex);
            auto& sum = shared_.table_totals[table.oid];
            sum.rows += t.rows;
            sum.bytes += t.bytes;
            sum.items += 1;
            if (--shared_.items_left[table.oid] > 0) return {};
            total = sum;
        }
        if (shared_.job.on_table_done) shared_.job.on_table_done(table.oid);
        return shared_.journal.record("setup.copy_table", {{"schema", table.schema},
                                                           {"table", table.name},
                                                           {"state", "done"},
                                                           {"rows", total.rows},
                                                           {"bytes", total.bytes},
                                                           {"items", total.items}});
    }

    nlohmann::json event(const ItemPlan& item, const TablePlan& table, const char* state) const {
        return {{"item", item.id},
                {"schema", table.schema},
                {"table", table.name},
                {"blocks", blocks_json(item)},
                {"binary", table.binary},
                {"worker", index_},
                {"state", state},
                {"generation", shared_.job.generation},
                {"est_bytes", item.est_bytes}};
    }

    int index_;
    Shared& shared_;
    std::optional<pg::Connection> blue_;
    std::optional<pg::Connection> green_;
    std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

Result<CopyTotals> run_copy(const CopyJob& job, Journal& journal, Console& console) {
    Shared shared(job, journal);
    for (const auto& item : job.items) {
        shared.counters.total_est_bytes += item.est_bytes;
        ++shared.items_left[item.table_oid];
    }
    shared.counters.items_total = static_cast<int>(job.items.size());
    int jobs = std::max(1, std::min<int>(job.jobs, static_cast<int>(job.items.size())));
    {
        ProgressReporter reporter(shared.counters, console);
        std::vector<std::thread> threads;
        std::vector<Worker> workers;
        workers.reserve(static_cast<size_t>(jobs));
        for (int i = 0; i < jobs; ++i) workers.emplace_back(i + 1, shared);
        for (auto& w : workers) threads.emplace_back([&w] { w.run(); });
        for (auto& t : threads) t.join();
    }
    if (shared.first_error) return *shared.first_error;
    return CopyTotals{shared.counters.rows.load(), shared.counters.stream_bytes.load(),
                      shared.counters.items_done.load()};
}

}  // namespace pgflip::sync
