#include "verify/replication.hpp"

#include <algorithm>
#include <map>
#include <thread>

#include "pg/array.hpp"
#include "sql/queries.hpp"
#include "verify/model.hpp"
#include "verify/sql_builder.hpp"

namespace pgflip::verify {

namespace {

constexpr auto poll_interval = std::chrono::milliseconds(5);

std::string oid_array(const std::vector<long long>& oids) {
    std::vector<std::string> items;
    for (long long oid : oids) items.push_back(std::to_string(oid));
    return pg::array_literal(items);
}

}  // namespace

pg::Lsn required_position(pg::Lsn insert_position, int wal_block_size) {
    if (wal_block_size <= 0) return insert_position;
    const auto block = static_cast<std::uint64_t>(wal_block_size);
    const std::uint64_t offset = insert_position.value % block;
    constexpr std::uint64_t long_header = 40;  // SizeOfXLogLongPHD; the short one is 24
    if (offset > 0 && offset <= long_header) return pg::Lsn{insert_position.value - offset};
    return insert_position;
}

Result<Replication> Replication::detect(pg::Connection& blue, pg::Connection& green,
                                        pg::Deadline deadline) {
    auto slots = blue.query(sql::verify_logical_slots, {}, deadline);
    if (!slots.ok()) return slots.take_error();
    auto subs = green.query(sql::verify_subscriptions, {}, deadline);
    if (!subs.ok()) return subs.take_error();
    std::set<std::string> blue_slots;
    for (int r = 0; r < slots->size(); ++r) blue_slots.insert(slots->str(r, 0));
    Replication rep;
    for (int r = 0; r < subs->size(); ++r) {
        if (blue_slots.count(subs->str(r, 3)) == 0) continue;
        rep.subs_.push_back({subs->num(r, 0), subs->str(r, 1), subs->boolean(r, 2)});
    }
    return rep;
}

std::string Replication::describe() const {
    if (subs_.empty()) return "no subscription from blue on green: compared as they are";
    std::string out;
    for (const auto& s : subs_) {
        if (!out.empty()) out += ", ";
        out += "subscription " + s.name + (s.enabled ? " enabled" : " disabled");
    }
    return out + (live() ? ": differences are re-checked once green has caught up"
                         : ": replication stopped, compared as they are");
}

std::vector<long long> Replication::enabled_oids() const {
    std::vector<long long> oids;
    for (const auto& s : subs_) {
        if (s.enabled) oids.push_back(s.oid);
    }
    return oids;
}

Result<std::set<std::string>> Replication::syncing_tables(pg::Connection& green,
                                                          pg::Deadline deadline) const {
    std::set<std::string> out;
    if (!live()) return out;
    auto rows = green.query(sql::verify_syncing_tables, {oid_array(enabled_oids())}, deadline);
    if (!rows.ok()) return rows.take_error();
    for (int r = 0; r < rows->size(); ++r) out.insert(table_id(rows->str(r, 0), rows->str(r, 1)));
    return out;
}

Result<pg::Lsn> Replication::blue_position(pg::Connection& blue, pg::Deadline deadline) {
    auto rows = blue.query(sql::verify_wal_position, {}, deadline);
    if (!rows.ok()) return rows.take_error();
    auto lsn = pg::Lsn::parse(rows->get(0, 0));
    if (!lsn) return make_error(Side::blue, "unreadable WAL position: " + rows->str(0, 0));
    return required_position(*lsn, static_cast<int>(rows->num(0, 1)));
}

Result<bool> Replication::applied(pg::Connection& green, pg::Lsn position,
                                  pg::Deadline deadline) const {
    const auto oids = enabled_oids();
    auto rows = green.query(sql::verify_applied_lsn, {oid_array(oids)}, deadline);
    if (!rows.ok()) return rows.take_error();
    size_t caught_up = 0;
    for (int r = 0; r < rows->size(); ++r) {
        auto lsn = pg::Lsn::parse(rows->get(r, 1));
        if (lsn && *lsn >= position) ++caught_up;
    }
    return caught_up == oids.size();
}

Status Replication::wait_applied(pg::Connection& green, pg::Lsn position,
                                 pg::Deadline deadline) const {
    if (!live()) return {};
    for (;;) {
        auto done = applied(green, position, deadline);
        if (!done.ok()) return done.take_error();
        if (*done) return {};
        if (pg::Clock::now() + poll_interval >= deadline) {
            return make_error(Side::green,
                              "green did not apply blue's changes up to " + position.str() +
                                  " in time, so differences cannot be told from lag",
                              "look at pgflip status and green's log for apply errors; raise "
                              "--lag-timeout if green is only slow");
        }
        std::this_thread::sleep_for(poll_interval);
    }
}

}  // namespace pgflip::verify
