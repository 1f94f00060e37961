// The flip on the other supported pair, PostgreSQL 15 -> 17, behind real PgBouncer with 16
// clients writing: repeated cutovers and rollbacks, every acknowledged write kept, and the
// blackout measured each time (median and worst printed; the bench tracks the targets).
#include <algorithm>

#include "cutover_fixture.hpp"

namespace pgflip::test {
namespace {

constexpr int kBlue = 15;
constexpr int kGreen = 17;
constexpr int kClients = 16;
constexpr int kRounds = 3;  // cutover + rollback each

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? 0 : v[v.size() / 2];
}

TEST(CutoverVersions, Pg15ToPg17UnderSixteenClients) {
    if (!is_installed(kBlue) || !is_installed(kGreen)) GTEST_SKIP() << "PostgreSQL missing";
    Migration m(shared_cluster(kBlue), shared_cluster(kGreen));
    Load load(m.client_conninfo(), kClients);
    ASSERT_TRUE(load.progresses(200));
    std::vector<double> blackouts;
    const auto origin = Clock::now();
    for (int round = 0; round < kRounds; ++round) {
        for (const char* op : {"cutover", "rollback"}) {
            std::printf("[%s at %.0f ms]\n", op, ms_since(origin));
            auto run = m.pgflip({op});
            ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
            blackouts.push_back(run.json["blackout_ms"].get<double>());
            ASSERT_TRUE(load.progresses(100));
            auto side = std::string(op) == "cutover" ? m.green() : m.blue();
            Migration::expect_all_acked(side, load.acked());
        }
    }
    load.stop();
    EXPECT_TRUE(load.errors().empty()) << load.errors().front();
    bool long_wait = false;
    for (const auto& [at, gap] : load.gaps_over(100, origin)) {
        std::printf("  clients waited %.1f ms from %.0f ms\n", gap, at);
        long_wait |= gap > 500;
    }
    if (long_wait && std::getenv("PGFLIP_TEST_SHOW_POOLER_LOG") != nullptr) {
        std::printf("%s\n", slurp(m.bouncer().dir() / "pgbouncer.log").c_str());
    }
    std::printf(
        "[15->17, %d clients] blackout over %zu flips: median %.1f ms, worst %.1f ms; "
        "client-observed longest gap %.1f ms\n",
        kClients, blackouts.size(), median(blackouts),
        *std::max_element(blackouts.begin(), blackouts.end()), load.max_gap_ms());
}

}  // namespace
}  // namespace pgflip::test
