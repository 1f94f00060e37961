#include "verify/data.hpp"

#include <algorithm>
#include <atomic>
#include <thread>

#include "sql/queries.hpp"

namespace pgflip::verify {

namespace {

Result<std::map<std::string, Table>> read_tables(pg::Connection& conn, pg::Deadline deadline) {
    auto rows = conn.query(sql::verify_tables, {}, deadline);
    if (!rows.ok()) return rows.take_error();
    return tables_from_rows(*rows);
}

TableResult only_on_one_side(const Table& table, TableStatus status) {
    TableResult r;
    r.name = table.qualified;
    r.status = status;
    return r;
}

TableResult syncing_result(const TablePair& table) {
    TableResult r;
    r.name = table.display();
    r.status = TableStatus::syncing;
    r.note = "green's initial copy of this table is not finished";
    return r;
}

//! Work shared by the workers: the next table to take and where each result goes.
struct Queue {
    const DataPlan& plan;
    std::vector<TableResult>& results;
    std::atomic<size_t> next{0};
};

TableResult error_result(const TablePair& table, const Error& error) {
    TableResult r;
    r.name = table.display();
    r.status = TableStatus::error;
    r.error = error;
    return r;
}

//! Compares one table on the worker's connections, (re)opening them when needed.
TableResult run_one(const config::Config& config, std::optional<SessionPair>& pair,
                    const TablePair& table, const Replication& rep,
                    const std::set<std::string>& syncing, const DataOptions& options) {
    if (syncing.count(table_id(table.blue.schema, table.blue.name)) > 0) {
        return syncing_result(table);
    }
    if (!pair || !pair->blue.is_ok() || !pair->green.is_ok()) {
        pair.reset();
        auto opened = SessionPair::open(config, pg::default_deadline());
        if (!opened.ok()) return error_result(table, opened.error());
        pair.emplace(std::move(opened).value());
    }
    return check_table(*pair, table, rep, options.table);
}

void worker(const config::Config& config, Queue& queue, const Replication& rep,
            const std::set<std::string>& syncing, const DataOptions& options, Progress& progress) {
    std::optional<SessionPair> pair;
    for (size_t i = queue.next++; i < queue.plan.pairs.size(); i = queue.next++) {
        const TablePair& table = queue.plan.pairs[i];
        queue.results[i] = run_one(config, pair, table, rep, syncing, options);
        progress.table_done(queue.results[i], table.blue.bytes);
    }
}

}  // namespace

Result<DataPlan> plan_data(SessionPair& pair, const DataOptions& options, pg::Deadline deadline) {
    auto tables = on_both(pair, [&](pg::Connection& c) { return read_tables(c, deadline); });
    if (auto e = tables.error()) return *e;
    DataPlan plan;
    for (const auto& [id, blue] : *tables.blue) {
        if (!selected(options.tables, blue.schema, blue.name)) continue;
        auto it = tables.green->find(id);
        if (it == tables.green->end()) {
            plan.one_side.push_back(only_on_one_side(blue, TableStatus::missing_on_green));
            continue;
        }
        plan.pairs.push_back(pair_tables(blue, it->second));
        plan.bytes += blue.bytes;
    }
    for (const auto& [id, green] : *tables.green) {
        if (selected(options.tables, green.schema, green.name) && tables.blue->count(id) == 0) {
            plan.one_side.push_back(only_on_one_side(green, TableStatus::missing_on_blue));
        }
    }
    std::stable_sort(
        plan.pairs.begin(), plan.pairs.end(),
        [](const TablePair& a, const TablePair& b) { return a.blue.bytes > b.blue.bytes; });
    return plan;
}

DataResult compare_data(const config::Config& config, DataPlan plan, const Replication& rep,
                        const std::set<std::string>& syncing, const DataOptions& options,
                        Progress& progress) {
    const auto start = pg::Clock::now();
    DataResult data;
    data.ran = true;
    data.replication = rep.describe();
    std::vector<TableResult> results(plan.pairs.size());
    Queue queue{plan, results};
    const size_t jobs = std::clamp<size_t>(static_cast<size_t>(std::max(options.jobs, 1)), 1,
                                           std::max<size_t>(plan.pairs.size(), 1));
    std::vector<std::thread> threads;
    for (size_t j = 0; j < jobs; ++j) {
        threads.emplace_back([&] { worker(config, queue, rep, syncing, options, progress); });
    }
    for (auto& t : threads) t.join();
    progress.finish();
    data.tables = std::move(results);
    for (auto& r : plan.one_side) data.tables.push_back(std::move(r));
    std::sort(data.tables.begin(), data.tables.end(),
              [](const TableResult& a, const TableResult& b) { return a.name < b.name; });
    data.seconds = std::chrono::duration<double>(pg::Clock::now() - start).count();
    return data;
}

}  // namespace pgflip::verify
