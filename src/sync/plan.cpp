#include "sync/plan.hpp"

#include <algorithm>
#include <map>
#include <nlohmann/json.hpp>

#include "sql/queries.hpp"

namespace pgflip::sync {

namespace {

constexpr long long kMiB = 1024LL * 1024;
constexpr long long kMinChunk = 16 * kMiB;
constexpr long long kMaxChunk = 1024 * kMiB;
// A TOASTed byte costs more than a heap byte (decompressed and re-parsed on blue, compressed
// again on green): measured about 3x on jsonb documents, so TOAST counts three times when
// work is cut and ordered.
constexpr long long kToastWeight = 3;

using TableKey = std::pair<std::string, std::string>;

Result<std::vector<TablePlan>> read_tables(pg::Connection& blue, pg::Deadline deadline) {
    auto rows = blue.query(sql::sync_tables, deadline);
    if (!rows) return rows.take_error();
    std::vector<TablePlan> tables;
    for (int r = 0; r < rows->size(); ++r) {
        TablePlan t;
        t.oid = static_cast<std::uint32_t>(rows->num(r, 0));
        t.root = static_cast<std::uint32_t>(rows->num(r, 1));
        t.schema = rows->str(r, 2);
        t.name = rows->str(r, 3);
        t.heap_bytes = rows->num(r, 4);
        t.toast_bytes = rows->num(r, 5);
        t.blocks = rows->num(r, 6);
        t.estimated_rows = std::max(0LL, rows->num(r, 7));
        t.filenode = static_cast<std::uint32_t>(rows->num(r, 8));
        t.index_bytes = rows->num(r, 9);
        tables.push_back(std::move(t));
    }
    return tables;
}

//! Green's column types per table, to compare with blue's.
Result<std::map<TableKey, std::vector<std::pair<std::string, std::string>>>> green_columns(
    pg::Connection& green, const std::vector<TablePlan>& tables, pg::Deadline deadline) {
    nlohmann::json keys = nlohmann::json::array();
    for (const auto& t : tables) keys.push_back({t.schema, t.name});
    auto rows = green.query(sql::sync_green_columns, {keys.dump()}, deadline);
    if (!rows) return rows.take_error();
    std::map<TableKey, std::vector<std::pair<std::string, std::string>>> out;
    for (int r = 0; r < rows->size(); ++r) {
        out[{rows->str(r, 0), rows->str(r, 1)}].emplace_back(rows->str(r, 2), rows->str(r, 3));
    }
    return out;
}

//! Fills columns and the binary decision: binary only when every column type allows it and
//! green has the same columns with the same types.
Status add_columns(pg::Connection& blue, pg::Connection& green, std::vector<TablePlan>& tables,
                   pg::Deadline deadline) {
    nlohmann::json oids = nlohmann::json::array();
    for (const auto& t : tables) oids.push_back(t.oid);
    auto rows = blue.query(sql::sync_columns, {oids.dump()}, deadline);
    if (!rows) return rows.take_error();
    auto on_green = green_columns(green, tables, deadline);
    if (!on_green) return on_green.take_error();
    std::map<std::uint32_t, std::vector<std::pair<std::string, std::string>>> on_blue;
    std::map<std::uint32_t, bool> safe;
    for (int r = 0; r < rows->size(); ++r) {
        auto oid = static_cast<std::uint32_t>(rows->num(r, 0));
        on_blue[oid].emplace_back(rows->str(r, 1), rows->str(r, 2));
        safe.try_emplace(oid, true);
        safe[oid] = safe[oid] && rows->boolean(r, 3);
    }
    for (auto& t : tables) {
        for (const auto& col : on_blue[t.oid]) t.columns.push_back(col.first);
        const auto& green_cols = (*on_green)[{t.schema, t.name}];
        t.binary = !t.columns.empty() && safe[t.oid] && green_cols == on_blue[t.oid];
    }
    return {};
}

std::vector<ItemPlan> make_items(const std::vector<TablePlan>& tables, long long chunk_bytes) {
    std::vector<ItemPlan> items;
    for (const auto& t : tables) {
        long long bytes = work_bytes(t);
        auto ranges = split_blocks(t.blocks, bytes, chunk_bytes);
        for (const auto& r : ranges) {
            ItemPlan item;
            item.table_oid = t.oid;
            item.first_block = r.first;
            item.end_block = r.end;
            item.whole = ranges.size() == 1;
            long long end = r.end < 0 ? std::max(t.blocks, r.first) : r.end;
            item.est_bytes = t.blocks == 0 ? bytes : bytes * (end - r.first) / t.blocks;
            items.push_back(item);
        }
    }
    // Tables with the most index work first, so that their index builds start early and run
    // beside the rest of the copy (index_builder.hpp); then the largest items first. Items are
    // at most a chunk, so the order leaves no long item for the end either way.
    std::map<std::uint32_t, long long> index_bytes;
    for (const auto& t : tables) index_bytes[t.oid] = t.index_bytes;
    std::stable_sort(items.begin(), items.end(), [&](const ItemPlan& a, const ItemPlan& b) {
        const long long ia = index_bytes[a.table_oid];
        const long long ib = index_bytes[b.table_oid];
        if (ia != ib) return ia > ib;
        return a.est_bytes > b.est_bytes;
    });
    for (size_t i = 0; i < items.size(); ++i) items[i].id = static_cast<int>(i) + 1;
    return items;
}

std::string column_list(const pg::Connection& conn, const TablePlan& table) {
    std::string out;
    for (const auto& c : table.columns) out += (out.empty() ? "" : ", ") + conn.quote_ident(c);
    return out;
}

std::string format_clause(const TablePlan& table) {
    return table.binary ? " (FORMAT binary)" : "";
}

}  // namespace

long long work_bytes(const TablePlan& table) {
    return table.heap_bytes + kToastWeight * table.toast_bytes;
}

std::vector<BlockRange> split_blocks(long long blocks, long long bytes, long long chunk_bytes) {
    if (chunk_bytes <= 0 || bytes <= chunk_bytes || blocks < 2) return {BlockRange{0, -1}};
    long long pieces = std::min(blocks, (bytes + chunk_bytes - 1) / chunk_bytes);
    long long per = (blocks + pieces - 1) / pieces;
    std::vector<BlockRange> ranges;
    for (long long first = 0; first < blocks; first += per) {
        ranges.push_back({first, first + per});
    }
    ranges.back().end = -1;
    return ranges;
}

long long choose_chunk_bytes(long long total_bytes, int jobs, long long requested) {
    if (requested > 0) return requested;
    long long share = total_bytes / (std::max(jobs, 1) * 8LL);
    return std::clamp(share, kMinChunk, kMaxChunk);
}

Result<Plan> make_plan(pg::Connection& blue, pg::Connection& green, int jobs,
                       long long requested_chunk_bytes, pg::Deadline deadline) {
    auto tables = read_tables(blue, deadline);
    if (!tables) return tables.take_error();
    if (!tables->empty()) PGFLIP_TRY(add_columns(blue, green, *tables, deadline));
    long long total = 0;
    for (const auto& t : *tables) total += work_bytes(t);
    Plan plan;
    plan.chunk_bytes = choose_chunk_bytes(total, jobs, requested_chunk_bytes);
    plan.items = make_items(*tables, plan.chunk_bytes);
    plan.tables = std::move(tables).value();
    return plan;
}

std::string qualified(const pg::Connection& conn, const std::string& schema,
                      const std::string& name) {
    return conn.quote_ident(schema) + "." + conn.quote_ident(name);
}

std::string copy_out_sql(const pg::Connection& blue, const TablePlan& table, const ItemPlan& item) {
    std::string name = qualified(blue, table.schema, table.name);
    std::string cols = column_list(blue, table);
    if (item.whole) {
        return "COPY " + name + (cols.empty() ? "" : " (" + cols + ")") + " TO STDOUT" +
               format_clause(table);
    }
    // ONLY: an inheritance parent's SELECT would also return its children's rows.
    std::string where = "ctid >= '(" + std::to_string(item.first_block) + ",0)'::tid";
    if (item.end_block >= 0) {
        where += " AND ctid < '(" + std::to_string(item.end_block) + ",0)'::tid";
    }
    return "COPY (SELECT " + cols + " FROM ONLY " + name + " WHERE " + where + ") TO STDOUT" +
           format_clause(table);
}

std::string copy_in_sql(const pg::Connection& green, const TablePlan& table) {
    std::string cols = column_list(green, table);
    return "COPY " + qualified(green, table.schema, table.name) +
           (cols.empty() ? "" : " (" + cols + ")") + " FROM STDIN" + format_clause(table);
}

}  // namespace pgflip::sync
