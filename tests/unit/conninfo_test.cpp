#include <gtest/gtest.h>

#include "pg/conninfo.hpp"

using pgflip::pg::Conninfo;
using pgflip::pg::redact_secrets;

TEST(Conninfo, KeyValuePasswordIsRedacted) {
    auto c = Conninfo::parse("host=db1 port=5433 dbname=app user=alice password=s3cr3t-pw");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->host(), "db1");
    EXPECT_EQ(c->port(), "5433");
    EXPECT_EQ(c->dbname(), "app");
    EXPECT_EQ(c->password(), "s3cr3t-pw");
    EXPECT_EQ(c->redacted().find("s3cr3t-pw"), std::string::npos);
    EXPECT_NE(c->redacted().find("password=********"), std::string::npos);
    EXPECT_NE(c->secret_string().find("s3cr3t-pw"), std::string::npos);
}

TEST(Conninfo, UriPasswordIsRedacted) {
    auto c = Conninfo::parse("postgresql://bob:hunter2%21@10.0.0.5:6432/shop?sslmode=disable");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->user(), "bob");
    EXPECT_EQ(c->password(), "hunter2!");
    EXPECT_EQ(c->dbname(), "shop");
    EXPECT_EQ(c->get("sslmode"), "disable");
    EXPECT_EQ(c->redacted().find("hunter2"), std::string::npos);
}

TEST(Conninfo, SslKeyPassphraseIsRedacted) {
    auto c = Conninfo::parse("host=h sslkey=/k.pem sslpassword=k3y-phrase user=u");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->redacted().find("k3y-phrase"), std::string::npos) << c->redacted();
    EXPECT_NE(c->redacted().find("sslpassword=********"), std::string::npos) << c->redacted();
    EXPECT_EQ(redact_secrets("connection to h failed: sslpassword=k3y-phrase"),
              "connection to h failed: sslpassword=********");
}

TEST(Conninfo, ValuesWithSpacesAndQuotesRoundTrip) {
    auto c = Conninfo::parse(R"(host=localhost dbname='my db' password='it\'s a \\ pw')");
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->dbname(), "my db");
    EXPECT_EQ(c->password(), R"(it's a \ pw)");
    auto again = Conninfo::parse(c->secret_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again->dbname(), "my db");
    EXPECT_EQ(again->password(), c->password());
}

TEST(Conninfo, MalformedIsAnErrorWithoutTheSecret) {
    auto c = Conninfo::parse("host=x password=topsecret dbname", pgflip::Side::blue);
    ASSERT_FALSE(c.ok());
    EXPECT_EQ(c.error().side, pgflip::Side::blue);
    EXPECT_EQ(c.error().str().find("topsecret"), std::string::npos);
    EXPECT_FALSE(c.error().fix.empty());
}

TEST(Conninfo, WithDbnameKeepsPassword) {
    auto c = Conninfo::parse("host=h dbname=a password=pw123");
    ASSERT_TRUE(c.ok());
    auto d = c->with_dbname("b");
    EXPECT_EQ(d.dbname(), "b");
    EXPECT_EQ(d.password(), "pw123");
}

TEST(RedactSecrets, RemovesEveryForm) {
    EXPECT_EQ(redact_secrets("x password=abc y"), "x password=******** y");
    EXPECT_EQ(redact_secrets("password = 'a b c' z"), "password = ******** z");
    EXPECT_EQ(redact_secrets("postgres://u:pw@h/db"), "postgres://u:********@h/db");
    EXPECT_EQ(redact_secrets("failed for pw secret99 here", "secret99"),
              "failed for pw ******** here");
}
