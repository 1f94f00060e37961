#include "sync/index_builder.hpp"

#include <chrono>
#include <nlohmann/json.hpp>

#include "sql/queries.hpp"
#include "sync/post_data.hpp"

namespace pgflip::sync {

namespace {

constexpr pg::milliseconds kRestoreDeadline{12 * 3600 * 1000};

}  // namespace

Result<std::map<std::uint32_t, std::vector<TocEntry>>> index_entries_by_table(
    pg::Connection& blue, const std::vector<TocEntry>& entries, const Plan& plan,
    pg::Deadline deadline) {
    std::map<std::uint32_t, std::vector<TocEntry>> out;
    std::vector<const TocEntry*> candidates;
    nlohmann::json objects = nlohmann::json::array();
    for (const auto& e : entries) {
        if (e.is_table_index() && e.object_oid != 0) {
            candidates.push_back(&e);
            objects.push_back({{"cat", e.catalog_oid}, {"obj", e.object_oid}});
        }
    }
    for (const auto& t : plan.tables) {
        if (t.root == t.oid) out[t.oid];
    }
    if (objects.empty()) return out;
    auto rows = blue.query(sql::sync_index_tables, {objects.dump()}, deadline);
    if (!rows) return rows.take_error();
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::uint32_t> table_of;
    for (int r = 0; r < rows->size(); ++r) {
        table_of[{static_cast<std::uint32_t>(rows->num(r, 0)),
                  static_cast<std::uint32_t>(rows->num(r, 1))}] =
            static_cast<std::uint32_t>(rows->num(r, 2));
    }
    for (const TocEntry* e : candidates) {
        auto found = table_of.find({e->catalog_oid, e->object_oid});
        if (found == table_of.end()) continue;
        // A partition's indexes wait with its attachment for the restore after the copy.
        auto table = out.find(found->second);
        if (table != out.end()) table->second.push_back(*e);
    }
    return out;
}

IndexBuilder::IndexBuilder(IndexBuildJob job, Journal& journal, Console& console)
    : job_(std::move(job)), journal_(journal), console_(console), thread_([this] { run(); }) {}

IndexBuilder::~IndexBuilder() {
    (void)finish(true);
}

void IndexBuilder::table_done(std::uint32_t table_oid) {
    if (job_.entries.count(table_oid) == 0) return;
    {
        std::lock_guard lock(mutex_);
        queue_.push_back(table_oid);
    }
    wake_.notify_one();
}

Status IndexBuilder::finish(bool cancel) {
    {
        std::lock_guard lock(mutex_);
        closing_ = true;
        cancelled_ = cancelled_ || cancel;
    }
    wake_.notify_one();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lock(mutex_);
    if (error_) return *error_;
    return {};
}

std::set<int> IndexBuilder::built() const {
    std::lock_guard lock(mutex_);
    return built_;
}

std::set<std::uint32_t> IndexBuilder::analyzed() const {
    std::lock_guard lock(mutex_);
    return analyzed_;
}

void IndexBuilder::run() {
    for (int batch = 1;; ++batch) {
        std::vector<std::uint32_t> tables;
        bool copy_running = true;
        {
            std::unique_lock lock(mutex_);
            wake_.wait(lock, [this] { return !queue_.empty() || closing_; });
            if (cancelled_ || error_ || queue_.empty()) return;
            tables.swap(queue_);
            copy_running = !closing_;
        }
        Status s = build(tables, batch, copy_running);
        if (!s.ok()) {
            std::lock_guard lock(mutex_);
            error_ = s.take_error();
            return;
        }
    }
}

Status IndexBuilder::build(const std::vector<std::uint32_t>& tables, int batch, bool copy_running) {
    std::vector<TocEntry> entries;
    nlohmann::json names = nlohmann::json::array();
    std::vector<QualifiedName> to_analyze;
    std::vector<std::uint32_t> analyzed;
    for (auto oid : tables) {
        const auto& mine = job_.entries.at(oid);
        entries.insert(entries.end(), mine.begin(), mine.end());
        const TablePlan* t = job_.plan->table(oid);
        names.push_back(t->schema + "." + t->name);
        if (job_.analyze_later.count(oid) == 0) {
            to_analyze.push_back({t->schema, t->name});
            analyzed.push_back(oid);
        }
    }
    const auto started = std::chrono::steady_clock::now();
    // While the copy runs it keeps the cores busy: half the sessions; after it, all of them.
    const int sessions = copy_running ? std::max(1, job_.jobs / 2) : job_.jobs;
    const int jobs = std::max(1, std::min(sessions, static_cast<int>(entries.size())));
    PGFLIP_TRY(journal_.record("setup.index_batch", {{"batch", batch},
                                                     {"state", "started"},
                                                     {"tables", names},
                                                     {"entries", entries.size()},
                                                     {"analyze", to_analyze.size()},
                                                     {"jobs", jobs}}));
    PGFLIP_TRY(restore_entries(*job_.tools, job_.green, job_.dump, entries,
                               job_.list_dir / ("post_data_" + std::to_string(batch) + ".list"),
                               jobs, pg::after(kRestoreDeadline)));
    {
        std::lock_guard lock(mutex_);
        for (const auto& e : entries) built_.insert(e.dump_id);
    }
    PGFLIP_TRY(analyze_each(job_.green, to_analyze, sessions));
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
    {
        std::lock_guard lock(mutex_);
        analyzed_.insert(analyzed.begin(), analyzed.end());
    }
    console_.log("beside the copy: " + std::to_string(entries.size()) +
                 " indexes and constraints of " + std::to_string(tables.size()) +
                 (tables.size() == 1 ? " table (" + names[0].get<std::string>() + ")"
                                     : std::string(" tables")) +
                 ", " + std::to_string(to_analyze.size()) + " analyzed, in " + std::to_string(ms) +
                 " ms");
    return journal_.record("setup.index_batch", {{"batch", batch},
                                                 {"state", "done"},
                                                 {"tables", names},
                                                 {"entries", entries.size()},
                                                 {"ms", ms}});
}

}  // namespace pgflip::sync
