// Rendering of check findings, for people (the table) and machines (JSON), without a server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "check/check.hpp"

namespace pgflip::check {
namespace {

std::vector<Finding> sample() {
    return {
        {"replica-identity", Severity::blocker, Side::blue,
         R"(table "My Schema"."Order ""Items"" ü select")", "No key.",
         "ALTER TABLE x ADD PRIMARY KEY (<columns>);\n-- last resort:\n-- ALTER TABLE x "
         "REPLICA IDENTITY FULL;"},
        {"pooler-login-retry", Severity::warning, Side::pooler, "pooler main: 15", "Stalls.",
         "server_login_retry = 1"},
        {"ddl", Severity::info, Side::blue, "schema changes", "Frozen, please.", ""},
    };
}

TEST(CheckRender, EmptyMeansReady) {
    EXPECT_EQ(render_table({}), "No findings: blue, green and the poolers are ready.\n");
    EXPECT_FALSE(has_blocker({}));
    EXPECT_EQ(to_json({}), nlohmann::json::array());
}

TEST(CheckRender, TableShowsSeverityRuleSideObjectAndIndentedFix) {
    std::string table = render_table(sample());
    EXPECT_NE(table.find("BLOCKER  [replica-identity] blue: table \"My Schema\".\"Order "
                         "\"\"Items\"\" ü select\"\n"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("    No key.\n    fix:\n      ALTER TABLE x ADD PRIMARY KEY "
                         "(<columns>);\n      -- last resort:\n      -- ALTER TABLE x REPLICA "
                         "IDENTITY FULL;\n"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("WARNING  [pooler-login-retry] pooler: pooler main: 15\n"),
              std::string::npos);
    EXPECT_NE(table.find("INFO  [ddl] blue: schema changes\n    Frozen, please.\n\n"),
              std::string::npos)
        << "an info without a fix has no fix line: " << table;
    EXPECT_NE(table.find("1 blocker(s), 1 warning(s), 1 info\n"), std::string::npos) << table;
}

TEST(CheckRender, TableKeepsTheGivenOrder) {
    std::string table = render_table(sample());
    EXPECT_LT(table.find("BLOCKER"), table.find("WARNING"));
    EXPECT_LT(table.find("WARNING"), table.find("INFO"));
}

TEST(CheckRender, JsonHasEveryFieldVerbatim) {
    nlohmann::json doc = to_json(sample());
    ASSERT_EQ(doc.size(), 3U);
    const auto& f = doc[0];
    EXPECT_EQ(f["rule"], "replica-identity");
    EXPECT_EQ(f["severity"], "blocker");
    EXPECT_EQ(f["side"], "blue");
    EXPECT_EQ(f["object"], R"(table "My Schema"."Order ""Items"" ü select")");
    EXPECT_EQ(f["explanation"], "No key.");
    EXPECT_EQ(f["fix"].get<std::string>().find("ALTER TABLE x ADD PRIMARY KEY"), 0U);
    EXPECT_EQ(doc[1]["side"], "pooler");
    EXPECT_EQ(doc[2]["severity"], "info");
    EXPECT_EQ(doc[2]["fix"], "");
    // Survives a round trip through text (UTF-8 and quotes intact).
    EXPECT_EQ(nlohmann::json::parse(doc.dump()), doc);
}

TEST(CheckRender, CountsAndBlockers) {
    auto findings = sample();
    Counts c = count(findings);
    EXPECT_EQ(c.blockers, 1U);
    EXPECT_EQ(c.warnings, 1U);
    EXPECT_EQ(c.infos, 1U);
    EXPECT_EQ(counts_json(c), (nlohmann::json{{"blocker", 1}, {"warning", 1}, {"info", 1}}));
    EXPECT_TRUE(has_blocker(findings));
    findings.erase(findings.begin());
    EXPECT_FALSE(has_blocker(findings));
}

TEST(CheckRender, SeverityNames) {
    EXPECT_EQ(to_string(Severity::blocker), "blocker");
    EXPECT_EQ(to_string(Severity::warning), "warning");
    EXPECT_EQ(to_string(Severity::info), "info");
}

TEST(CheckRender, EveryRuleHasAUniqueIdAndATitle) {
    std::set<std::string> ids;
    for (const Rule& rule : all_rules()) {
        EXPECT_TRUE(ids.insert(rule.id).second) << rule.id;
        EXPECT_STRNE(rule.title, "");
        EXPECT_TRUE(static_cast<bool>(rule.run)) << rule.id;
    }
    EXPECT_GE(ids.size(), 20U);
}

}  // namespace
}  // namespace pgflip::check
