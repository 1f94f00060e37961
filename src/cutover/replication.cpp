#include "cutover/replication.hpp"

#include "cutover/sql_template.hpp"
#include "sql/queries.hpp"

namespace pgflip::cutover {

namespace {

constexpr auto kPollInterval = std::chrono::microseconds(2000);

Result<std::vector<std::string>> first_column(pg::Connection& conn, std::string_view sql,
                                              const std::string& arg, Deadline deadline) {
    auto rows = conn.query(sql, {arg}, deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<std::string> out;
    for (int r = 0; r < rows->size(); ++r) out.push_back(rows->str(r, 0));
    return out;
}

std::map<std::string, std::string> named(pg::Connection& conn, const char* key,
                                         const std::string& name) {
    return {{key, conn.quote_ident(name)}};
}

}  // namespace

Result<std::optional<SubscriptionState>> read_subscription(pg::Connection& conn,
                                                           const std::string& name,
                                                           Deadline deadline) {
    auto rows = conn.query(sql::cutover_subscription_state, {name}, deadline);
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) return std::optional<SubscriptionState>();
    SubscriptionState s;
    s.enabled = rows->boolean(0, 0);
    s.slot = rows->str(0, 1);
    s.tables = rows->num(0, 2);
    s.not_ready = rows->num(0, 3);
    s.has_sentinel = rows->boolean(0, 4);
    s.worker_pid = static_cast<int>(rows->num(0, 5));
    return std::optional(s);
}

Result<std::optional<SlotState>> read_slot(pg::Connection& conn, const std::string& name,
                                           Deadline deadline) {
    auto rows = conn.query(sql::cutover_slot_state, {name}, deadline);
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) return std::optional<SlotState>();
    SlotState s;
    s.active = rows->boolean(0, 0);
    s.active_pid = static_cast<int>(rows->num(0, 1));
    s.logical = rows->get(0, 2) == "logical";
    s.lag_bytes = rows->num(0, 3);
    return std::optional(s);
}

Status ensure_publication(pg::Connection& conn, const std::string& name, Deadline deadline) {
    auto rows = conn.query(sql::cutover_publication_state, {name}, deadline);
    if (!rows.ok()) return rows.take_error();
    if (!rows->empty()) return {};
    return exec_template(conn, sql::cutover_publication_create, named(conn, "publication", name),
                         deadline);
}

Status publish_sentinel(pg::Connection& conn, const std::string& publication, Deadline deadline) {
    auto rows = conn.query(sql::cutover_publication_state, {publication}, deadline);
    if (!rows.ok()) return rows.take_error();
    if (rows->empty()) {
        return make_error(conn.side(), "publication \"" + publication + "\" does not exist",
                          "create it (pgflip setup does), then run the cutover again");
    }
    if (rows->boolean(0, 1)) return {};
    return exec_template(conn, sql::cutover_publication_add_sentinel,
                         named(conn, "publication", publication), deadline);
}

Status create_disabled_subscription(pg::Connection& conn, const SubscriptionSpec& spec,
                                    Deadline deadline) {
    const std::map<std::string, std::string> values = {
        {"subscription", conn.quote_ident(spec.name)},
        {"conninfo", conn.quote_literal(spec.conninfo)},
        {"publication", conn.quote_ident(spec.publication)},
        {"slot", conn.quote_literal(spec.slot)},
    };
    Status s = exec_template(conn, sql::cutover_subscription_create, values, deadline);
    if (s.ok()) return s;
    Error e = s.take_error();
    e.message = pg::redact_secrets("creating subscription " + spec.name + ": " + e.message);
    return e;
}

Status enable_subscription(pg::Connection& conn, const std::string& name, Deadline deadline) {
    return exec_template(conn, sql::cutover_subscription_enable, named(conn, "subscription", name),
                         deadline);
}

Status disable_subscription(pg::Connection& conn, const std::string& name, Deadline deadline) {
    return exec_template(conn, sql::cutover_subscription_disable, named(conn, "subscription", name),
                         deadline);
}

Status refresh_subscription(pg::Connection& conn, const std::string& name, Clock& clock,
                            Deadline deadline) {
    PGFLIP_TRY(exec_template(conn, sql::cutover_subscription_refresh,
                             named(conn, "subscription", name), deadline));
    for (;;) {
        auto sub = read_subscription(conn, name, deadline);
        if (!sub.ok()) return sub.take_error();
        if (sub->has_value() && (*sub)->not_ready == 0) return {};
        if (clock.now() >= deadline) {
            return make_error(conn.side(), "subscription " + name + " has tables not ready",
                              "look at pg_subscription_rel and the server log");
        }
        clock.sleep_for(std::chrono::milliseconds(20));
    }
}

Status drop_subscription(pg::Connection& conn, const std::string& name, Deadline deadline) {
    auto sub = read_subscription(conn, name, deadline);
    if (!sub.ok()) return sub.take_error();
    if (!sub->has_value()) return {};
    auto values = named(conn, "subscription", name);
    if ((*sub)->enabled) PGFLIP_TRY(disable_subscription(conn, name, deadline));
    Status dropped = exec_template(conn, sql::cutover_subscription_drop, values, deadline);
    if (dropped.ok() || (*sub)->slot.empty()) return dropped;
    // The publisher could not drop its slot (unreachable?): forget the slot, drop, report it.
    PGFLIP_TRY(exec_template(conn, sql::cutover_subscription_detach_slot, values, deadline));
    PGFLIP_TRY(exec_template(conn, sql::cutover_subscription_drop, values, deadline));
    Error e = dropped.take_error();
    e.message = "subscription " + name + " dropped, but its slot " + (*sub)->slot +
                " on the publisher was not: " + e.message;
    e.fix = "drop it there (pgflip finalize does): SELECT pg_drop_replication_slot('" +
            (*sub)->slot + "')";
    return e;
}

Status drop_subscription_without_slot(pg::Connection& conn, const std::string& name,
                                      Deadline deadline) {
    auto sub = read_subscription(conn, name, deadline);
    if (!sub.ok()) return sub.take_error();
    if (!sub->has_value()) return {};
    auto values = named(conn, "subscription", name);
    if ((*sub)->enabled) PGFLIP_TRY(disable_subscription(conn, name, deadline));
    if (!(*sub)->slot.empty()) {
        PGFLIP_TRY(exec_template(conn, sql::cutover_subscription_detach_slot, values, deadline));
    }
    return exec_template(conn, sql::cutover_subscription_drop, values, deadline);
}

Status wait_slot_inactive(pg::Connection& conn, const std::string& name, Clock& clock,
                          Deadline deadline) {
    for (;;) {
        auto slot = read_slot(conn, name, deadline);
        if (!slot.ok()) return slot.take_error();
        if (!slot->has_value() || !(*slot)->active) return {};
        if (clock.now() >= deadline) {
            Error e = make_error(conn.side(),
                                 "replication slot " + name + " is still in use by walsender pid " +
                                     std::to_string((*slot)->active_pid),
                                 "disable the subscription that reads from it");
            e.sqlstate = "55006";
            return e;
        }
        clock.sleep_for(kPollInterval);
    }
}

Status drop_slot(pg::Connection& conn, const std::string& name, Clock& clock, Deadline deadline) {
    for (;;) {
        auto slot = read_slot(conn, name, deadline);
        if (!slot.ok()) return slot.take_error();
        if (!slot->has_value()) return {};
        if ((*slot)->active) {
            auto released = conn.query(sql::cutover_slot_release, {name}, deadline);
            if (!released.ok()) return released.take_error();
        } else {
            auto dropped = conn.query(sql::cutover_slot_drop, {name}, deadline);
            // A walsender may grab it between the two queries: look again.
            if (!dropped.ok() && dropped.error().sqlstate != "55006") return dropped.take_error();
        }
        if (clock.now() >= deadline) {
            return make_error(
                conn.side(), "could not drop replication slot " + name,
                "SELECT pg_drop_replication_slot('" + name + "') once nothing uses it");
        }
        clock.sleep_for(kPollInterval);
    }
}

Result<std::vector<std::string>> publication_tables(pg::Connection& conn,
                                                    const std::string& publication,
                                                    Deadline deadline) {
    return first_column(conn, sql::cutover_publication_tables, publication, deadline);
}

Result<std::vector<std::string>> subscription_tables(pg::Connection& conn,
                                                     const std::string& subscription,
                                                     Deadline deadline) {
    return first_column(conn, sql::cutover_subscription_tables, subscription, deadline);
}

Result<std::vector<SlotRetention>> list_slots(pg::Connection& conn, Deadline deadline) {
    auto rows = conn.query(sql::cutover_slots_list, deadline);
    if (!rows.ok()) return rows.take_error();
    std::vector<SlotRetention> out;
    for (int r = 0; r < rows->size(); ++r) {
        out.push_back({rows->str(r, 0), rows->str(r, 1), rows->str(r, 2), rows->boolean(r, 3),
                       rows->num(r, 4)});
    }
    return out;
}

}  // namespace pgflip::cutover
