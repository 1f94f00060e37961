// Text setup reads and writes: pg_dumpall statements and the roles they name, pg_restore's
// table of contents, SQL templates, and the numbers of the progress line.
#include <gtest/gtest.h>

#include "pg/sql_template.hpp"

#include "sync/console.hpp"
#include "sync/globals.hpp"
#include "sync/progress.hpp"
#include "sync/schema.hpp"

namespace pgflip::sync {
namespace {

TEST(SyncGlobals, SplitsStatementsOutsideQuotesAndComments) {
    auto s = split_statements(
        "--\n-- Roles\n--\n\nCREATE ROLE app;\n"
        "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM;x''y';\n"
        "COMMENT ON ROLE \"a;b\" IS 'c -- not a comment; really';\n-- tail\n");
    ASSERT_EQ(s.size(), 3U);
    EXPECT_EQ(s[0], "CREATE ROLE app");
    EXPECT_EQ(s[1], "ALTER ROLE app WITH LOGIN PASSWORD 'SCRAM;x''y'");
    EXPECT_EQ(s[2], "COMMENT ON ROLE \"a;b\" IS 'c -- not a comment; really'");
}

TEST(SyncGlobals, NamesTheRoleOfRoleStatements) {
    EXPECT_EQ(statement_role("CREATE ROLE app"), "app");
    EXPECT_EQ(statement_role("CREATE ROLE App_1"), "app_1");
    EXPECT_EQ(statement_role("ALTER ROLE \"Odd \"\"Role\"\"\" WITH LOGIN"), "Odd \"Role\"");
    EXPECT_EQ(statement_role("alter role app set search_path to x"), "app");
    EXPECT_EQ(statement_role("COMMENT ON ROLE reporting IS 'x'"), "reporting");
    EXPECT_EQ(statement_role("SECURITY LABEL FOR selinux ON ROLE bob IS 'y'"), "bob");
    EXPECT_EQ(statement_role("GRANT a TO b GRANTED BY postgres"), std::nullopt);
    EXPECT_EQ(statement_role("SET standard_conforming_strings = on"), std::nullopt);
}

TEST(SyncToc, ParsesEntriesAndKnowsForeignKeys) {
    auto toc = parse_toc(
        ";\n; Archive created at ...\n;\n"
        "3128; 2606 16394 CONSTRAINT Odd Schema my table my table_Col X_key postgres\n"
        "3140; 0 0 INDEX ATTACH public pt1_k_idx postgres\n"
        "3142; 2606 16400 FK CONSTRAINT Odd Schema my table fk one postgres\n"
        "3521; 3466 137439 EVENT TRIGGER - pgflip_ddl_end postgres\n"
        "3523; 3466 137441 EVENT TRIGGER - audit_ddl postgres\n"
        "garbage line\n");
    ASSERT_EQ(toc.size(), 5U);
    EXPECT_TRUE(toc[3].is_pgflip_event_trigger());
    EXPECT_FALSE(toc[4].is_pgflip_event_trigger());  // the application's own: restored
    EXPECT_FALSE(toc[2].is_pgflip_event_trigger());
    EXPECT_EQ(toc[0].dump_id, 3128);
    EXPECT_EQ(toc[0].catalog_oid, 2606U);
    EXPECT_EQ(toc[0].object_oid, 16394U);
    EXPECT_FALSE(toc[0].is_foreign_key());
    EXPECT_EQ(toc[1].catalog_oid, 0U);
    EXPECT_EQ(toc[1].description, "INDEX ATTACH public pt1_k_idx postgres");
    EXPECT_TRUE(toc[2].is_foreign_key());
    EXPECT_TRUE(toc[0].is_table_index());
    EXPECT_FALSE(toc[1].is_table_index());  // the attachment waits for both indexes
    EXPECT_FALSE(toc[2].is_table_index());
    EXPECT_FALSE(toc[3].is_table_index());
    EXPECT_TRUE(
        parse_toc("3130; 1259 16397 INDEX public big_email_idx postgres\n").at(0).is_table_index());
    EXPECT_FALSE(parse_toc("3131; 2606 16398 CHECK CONSTRAINT public t t_v_check postgres\n")
                     .at(0)
                     .is_table_index());
    EXPECT_EQ(toc[2].line, "3142; 2606 16400 FK CONSTRAINT Odd Schema my table fk one postgres");
}

TEST(SyncTemplate, ReplacesKnownPlaceholdersOnly) {
    EXPECT_EQ(pg::render("CREATE PUBLICATION {publication} FOR ALL TABLES {with};",
                         {{"publication", "\"p\""}, {"with", ""}}),
              "CREATE PUBLICATION \"p\" FOR ALL TABLES ;");
    EXPECT_EQ(pg::render("{a}{b}{", {{"a", "1"}}), "1{b}{");
    // A value is never read again for placeholders: an identifier may hold braces.
    EXPECT_EQ(pg::render("{a} {b}", {{"a", "\"{b}\""}, {"b", "x"}}), "\"{b}\" x");
}

TEST(SyncProgress, EstimatesFromFinishedItemsAndConvertsItemsInFlight) {
    CopyCounters c;
    c.total_est_bytes = 1000;
    c.items_total = 4;
    c.done_est_bytes = 250;
    c.done_stream_bytes = 500;  // COPY data is twice the planned bytes here
    c.stream_bytes = 700;       // 200 in flight: worth 100 planned bytes
    c.items_done = 1;
    c.rows = 12345;
    ProgressView v = view_of(c, 10.0);
    EXPECT_DOUBLE_EQ(v.fraction, 0.35);
    EXPECT_DOUBLE_EQ(v.rate_bytes_s, 70.0);
    EXPECT_NEAR(v.eta_s, 10.0 * 650 / 350, 1e-9);
    std::string bar = render_bar(v, 20);
    EXPECT_EQ(bar.substr(0, 22), "[#######-------------]");
    EXPECT_NE(bar.find("35%"), std::string::npos);
    EXPECT_NE(bar.find("12.3k rows"), std::string::npos);
    EXPECT_NE(bar.find("1/4 items"), std::string::npos);
    EXPECT_NE(render_line(v).find("ETA 0:19"), std::string::npos);
}

TEST(SyncProgress, AllItemsDoneIsComplete) {
    CopyCounters c;
    c.items_total = 2;
    c.items_done = 2;
    EXPECT_DOUBLE_EQ(view_of(c, 1.0).fraction, 1.0);
}

TEST(SyncHuman, BytesCountsDurations) {
    EXPECT_EQ(human_bytes(15), "15 B");
    EXPECT_EQ(human_bytes(1536), "1.5 KiB");
    EXPECT_EQ(human_bytes(3.5 * 1024 * 1024 * 1024), "3.5 GiB");
    EXPECT_EQ(human_count(950), "950");
    EXPECT_EQ(human_count(3400000), "3.4M");
    EXPECT_EQ(human_duration(7), "0:07");
    EXPECT_EQ(human_duration(3723), "1:02:03");
}

}  // namespace
}  // namespace pgflip::sync
