// status's copy progress, read from setup's state and journal: each table's copy state, and
// whether its indexes and ANALYZE ran beside the copy yet; the step setup is at; and lag, which
// is never "caught up" without a slot to measure it.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "state/state_dir.hpp"
#include "sync/state.hpp"
#include "sync/status.hpp"
#include "temp_dir.hpp"

namespace pgflip::sync {
namespace {

class CopyProgressTest : public test::TempDirTest {
  protected:
    //! Tables a (2 items), b and c (1 item each); `steps` done.
    void write_state(const std::set<std::string>& steps) {
        SetupState s;
        s.name = "shop";
        s.done_steps = steps;
        Plan plan;
        std::uint32_t oid = 100;
        for (const char* name : {"a", "b", "c"}) {
            TablePlan t;
            t.oid = t.root = oid++;
            t.schema = "public";
            t.name = name;
            plan.tables.push_back(t);
        }
        int id = 1;
        for (std::uint32_t table : {100U, 100U, 101U, 102U}) {
            ItemPlan item;
            item.id = id++;
            item.table_oid = table;
            item.est_bytes = 10;
            plan.items.push_back(item);
        }
        s.plan = plan;
        std::ofstream(dir_ / "setup.json") << to_json(s).dump();
    }

    void record(const std::string& event, const nlohmann::json& fields) {
        auto dir = state::StateDir::open(dir_);
        ASSERT_TRUE(dir.ok());
        ASSERT_TRUE(dir->record(event, fields).ok());
    }

    void item(int id, const char* state, int generation = 1, long long t_ms = 0) {
        nlohmann::json fields = {
            {"item", id}, {"state", state}, {"generation", generation}, {"rows", 5}};
        if (t_ms > 0) fields["t_ms"] = t_ms;
        record("setup.copy_item", fields);
    }

    nlohmann::json table(const CopyProgress& p, const std::string& name) {
        for (const auto& t : p.tables) {
            if (t["table"] == "public." + name) return t;
        }
        return nullptr;
    }
};

TEST_F(CopyProgressTest, IndexStateFollowsTheBatchesBesideTheCopy) {
    write_state({"globals", "blue_objects", "pre_data"});
    for (int id : {1, 2, 3}) item(id, "started");
    for (int id : {1, 2}) item(id, "done");
    record("setup.index_batch", {{"batch", 1}, {"state", "started"}, {"tables", {"public.a"}}});
    record("setup.index_batch", {{"batch", 1}, {"state", "done"}, {"tables", {"public.a"}}});
    item(3, "done");
    record("setup.index_batch", {{"batch", 2}, {"state", "started"}, {"tables", {"public.b"}}});

    auto p = copy_progress(dir_.string());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->items_done, 3);
    EXPECT_EQ(table(*p, "a")["state"], "done");
    EXPECT_EQ(table(*p, "a")["indexes"], "built");
    EXPECT_EQ(table(*p, "b")["state"], "done");
    EXPECT_EQ(table(*p, "b")["indexes"], "building");
    EXPECT_EQ(table(*p, "c")["state"], "pending");
    EXPECT_EQ(table(*p, "c")["indexes"], "pending");
}

TEST_F(CopyProgressTest, EveryTableIsBuiltOncePostDataIsDone) {
    write_state({"globals", "blue_objects", "pre_data", "copy", "ddl_trigger", "post_data"});
    auto p = copy_progress(dir_.string());
    ASSERT_TRUE(p.has_value());
    for (const auto& t : p->tables) EXPECT_EQ(t["indexes"], "built") << t.dump();
}

//! A resumed setup truncates the tables changed between the snapshots: their items are to do
//! again, not done, until the new generation copies them.
TEST_F(CopyProgressTest, TablesTruncatedByAResumeAreNotDone) {
    write_state({"globals", "blue_objects", "pre_data"});
    for (int id : {1, 2, 3}) item(id, "started");
    for (int id : {1, 2, 3}) item(id, "done");
    record("setup.resync", {{"finished_items", 3}, {"recopied_tables", {"public.a"}}});
    record("setup.snapshot", {{"generation", 2}});

    auto p = copy_progress(dir_.string());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->items_done, 1) << "b's item is kept";
    EXPECT_EQ(table(*p, "a")["state"], "pending");
    EXPECT_EQ(table(*p, "a")["items_done"], 0);
    EXPECT_EQ(table(*p, "b")["state"], "done");
}

//! Items kept from the first generation took none of the second's time: the rate (and the ETA)
//! counts only the work the current generation did.
TEST_F(CopyProgressTest, RateCountsOnlyTheCurrentGenerationsWork) {
    write_state({"globals", "blue_objects", "pre_data"});
    item(1, "started", 1, 1000);
    item(1, "done", 1, 2000);
    item(2, "started", 1, 2000);
    item(2, "done", 1, 3000);
    record("setup.snapshot", {{"generation", 2}});
    item(3, "started", 2, 10000);
    item(3, "done", 2, 12000);

    auto p = copy_progress(dir_.string());
    ASSERT_TRUE(p.has_value());
    EXPECT_EQ(p->est_bytes_done, 30);
    EXPECT_DOUBLE_EQ(p->rate_bytes_s, 5.0) << "item 3's 10 planned bytes in 2 s";
}

TEST_F(CopyProgressTest, TheAutovacuumStepIsNamedWhileItRuns) {
    write_state(
        {"globals", "blue_objects", "pre_data", "copy", "ddl_trigger", "post_data", "analyze"});
    EXPECT_EQ(setup_phase(dir_.string()), "in progress or interrupted at autovacuum");
}

nlohmann::json lag_for(const nlohmann::json& slot, bool green_reachable = true) {
    LagSample sample;
    return measure_lag(slot, {{"written", false}}, green_reachable, std::nullopt, sample);
}

TEST(StatusLag, NeverCaughtUpWithoutASlotToMeasure) {
    const nlohmann::json missing = {{"name", "shop_slot"}, {"exists", false}, {"state", "missing"}};
    const nlohmann::json unread = {
        {"name", "shop_slot"}, {"state", "unknown"}, {"error", "blue: column does not exist"}};
    const nlohmann::json lost = {{"name", "shop_slot"},
                                 {"exists", true},
                                 {"state", "lost"},
                                 {"lag_bytes", 0},
                                 {"wal_status", "lost"}};
    for (const auto& slot : {missing, unread, lost}) {
        auto lag = lag_for(slot);
        EXPECT_FALSE(lag["caught_up"].get<bool>()) << slot.dump();
        EXPECT_TRUE(lag["bytes"].is_null()) << slot.dump();
        EXPECT_NE(lag.value("not_known", "").find("shop_slot"), std::string::npos) << lag.dump();
    }
}

TEST(StatusLag, NotCaughtUpWhenGreenIsUnreachable) {
    const nlohmann::json slot = {
        {"name", "shop_slot"}, {"exists", true}, {"state", "ok"}, {"lag_bytes", 100}};
    EXPECT_TRUE(lag_for(slot)["caught_up"].get<bool>());
    auto lag = lag_for(slot, false);
    EXPECT_FALSE(lag["caught_up"].get<bool>());
    EXPECT_EQ(lag["bytes"], 100) << "blue's side is still shown";
}

TEST(StatusRender, SaysPlainlyWhenTheSlotIsMissingOrGreenUnreachable) {
    const nlohmann::json slot = {{"name", "shop_slot_g2"},
                                 {"exists", false},
                                 {"state", "missing"},
                                 {"fix", "run pgflip setup again"}};
    nlohmann::json doc = {{"blue", {{"reachable", true}, {"version", "14.23"}}},
                          {"green", {{"reachable", false}, {"error", "green: could not connect"}}},
                          {"setup", {{"state", "in progress or interrupted at copy"}}},
                          {"subscription", {{"name", "shop_sub"}, {"state", "unknown"}}},
                          {"slot", slot},
                          {"lag", lag_for(slot, false)},
                          {"apply_errors", {{"available", false}}}};
    const std::string text = render_status(doc);
    EXPECT_NE(text.find("green:        UNREACHABLE: green: could not connect"), std::string::npos)
        << text;
    EXPECT_NE(text.find("shop_slot_g2 MISSING on blue"), std::string::npos) << text;
    EXPECT_NE(text.find("lag:          unknown"), std::string::npos) << text;
    EXPECT_EQ(text.find("(caught up)"), std::string::npos) << text;
}

}  // namespace
}  // namespace pgflip::sync
