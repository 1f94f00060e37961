// Setup's state document survives a round trip; sequences and schema drift decisions.
#include <gtest/gtest.h>

#include <limits>
#include <nlohmann/json.hpp>

#include "sync/drift.hpp"
#include "sync/sequences.hpp"
#include "sync/state.hpp"

namespace pgflip::sync {
namespace {

TEST(SyncState, RoundTripsThroughJson) {
    SetupState s;
    s.name = "app";
    s.blue_system_id = "1";
    s.blue_database = "shop";
    s.green_system_id = "2";
    s.green_database = "shop";
    s.done_steps = {"globals", "pre_data"};
    s.slot = SlotState{"app_slot_g2", "0/16B374D8", 2};
    Plan plan;
    plan.chunk_bytes = 64;
    plan.tables.push_back(
        {16384, 16384, "public", "Odd \"t\"", 8192, 0, 1, 10, 16390, {"a", "b c"}, true});
    plan.items.push_back({1, 16384, 0, -1, true, 8192});
    s.plan = plan;
    s.fingerprint = {{"public.t", "abc"}};
    s.foreign_keys.push_back(
        {"public", "t", "fk", "FOREIGN KEY (a) REFERENCES public.u(id)", true, false});
    s.matviews.push_back({"public", "mv"});
    s.sequences_at_start = {{"public.t_id_seq", 41}};

    auto back = setup_state_from_json(to_json(s));
    ASSERT_TRUE(back.ok()) << back.error().str();
    EXPECT_EQ(to_json(*back), to_json(s));
    EXPECT_TRUE(back->done("pre_data"));
    EXPECT_FALSE(back->complete());
    ASSERT_NE(back->plan->table(16384), nullptr);
    EXPECT_EQ(back->plan->table(16384)->columns[1], "b c");
    EXPECT_EQ(back->plan->table(1), nullptr);
}

TEST(SyncState, RejectsOtherDocuments) {
    EXPECT_FALSE(setup_state_from_json(nlohmann::json::object()).ok());
    EXPECT_FALSE(setup_state_from_json({{"format", 1}, {"name", 3}}).ok());
}

SequenceValue seq(std::optional<long long> last, long long inc = 1) {
    SequenceValue s;
    s.schema = "public";
    s.name = "s";
    s.last_value = last;
    s.increment = inc;
    s.min_value = inc > 0 ? 1 : std::numeric_limits<long long>::min();
    s.max_value = inc > 0 ? std::numeric_limits<long long>::max() : -1;
    return s;
}

TEST(SyncSequences, AtLeastAThousandIncrementsAhead) {
    EXPECT_EQ(presync_target(seq(500), std::nullopt), 1500);
    EXPECT_EQ(presync_target(seq(500, 10), 500), 10500);
}

TEST(SyncSequences, TwiceWhatSetupSawItAdvance) {
    EXPECT_EQ(presync_target(seq(100000), 40000), 100000 + 2 * 60000);
}

TEST(SyncSequences, DescendingAndBoundedAndUnused) {
    EXPECT_EQ(presync_target(seq(-5, -1), std::nullopt), -1005);
    SequenceValue near_max = seq(std::numeric_limits<long long>::max() - 10);
    EXPECT_EQ(presync_target(near_max, std::nullopt), std::numeric_limits<long long>::max());
    SequenceValue small = seq(90);
    small.max_value = 100;
    EXPECT_EQ(presync_target(small, std::nullopt), 100);
    EXPECT_EQ(presync_target(seq(std::nullopt), std::nullopt), std::nullopt);
}

TEST(SyncDrift, NamesAddedDroppedAndChangedTables) {
    Fingerprint before = {{"public.a", "1"}, {"public.b", "2"}, {"public.c", "3"}};
    Fingerprint now = {{"public.a", "1"}, {"public.b", "9"}, {"public.d", "4"}};
    Drift d = compare_fingerprints(before, now);
    EXPECT_EQ(d.changed, std::vector<std::string>{"public.b"});
    EXPECT_EQ(d.added, std::vector<std::string>{"public.d"});
    EXPECT_EQ(d.dropped, std::vector<std::string>{"public.c"});
    EXPECT_TRUE(d.any());
    EXPECT_NE(describe(d).find("changed: public.b"), std::string::npos);
    EXPECT_FALSE(compare_fingerprints(before, before).any());
}

}  // namespace
}  // namespace pgflip::sync
