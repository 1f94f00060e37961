#include <gtest/gtest.h>

#include <map>

#include "config/config.hpp"

using namespace pgflip::config;

namespace {

Getenv fake_env(std::map<std::string, std::string> vars) {
    return [vars](const std::string& k) -> std::optional<std::string> {
        auto it = vars.find(k);
        if (it == vars.end()) return std::nullopt;
        return it->second;
    };
}

constexpr const char* kFull = R"(
name = "mig1"
state_dir = "/tmp/st"
app_roles = ["app", "reporting"]
[blue]
conninfo = "host=b port=1 dbname=app"
[green]
conninfo = "host=g port=2 dbname=app"
replication_conninfo = "host=g.internal port=2 dbname=app"
[cutover]
budget_ms = 900
drain_policy = "cancel"
[[pooler]]
name = "pgb1"
admin = "host=p port=6432 dbname=pgbouncer"
ini = "/etc/pgbouncer/pgbouncer.ini"
database = "app"
[[pooler]]
kind = "command"
switch_command = "/usr/local/bin/flip-dns"
)";

}  // namespace

TEST(Config, ParsesEverySection) {
    auto c = parse(kFull, "pgflip.toml");
    ASSERT_TRUE(c.ok()) << c.error().str();
    EXPECT_EQ(c->name, "mig1");
    EXPECT_EQ(c->blue, "host=b port=1 dbname=app");
    EXPECT_EQ(c->green_from_blue, "host=g.internal port=2 dbname=app");
    EXPECT_EQ(c->cutover.budget_ms, 900);
    EXPECT_EQ(c->cutover.drain_policy, DrainPolicy::cancel);
    ASSERT_EQ(c->poolers.size(), 2u);
    EXPECT_EQ(c->poolers[0].name, "pgb1");
    EXPECT_EQ(c->poolers[1].kind, PoolerKind::command);
    EXPECT_EQ(c->poolers[1].name, "pooler2");
    EXPECT_EQ(c->app_roles.size(), 2u);
}

TEST(Config, MalformedTomlNamesLineAndColumn) {
    auto c = parse("[blue]\nconninfo = \"unterminated\n", "x.toml");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("x.toml"), std::string::npos);
    EXPECT_NE(c.error().message.find("line 2"), std::string::npos);
}

TEST(Config, UnknownKeyIsRefused) {
    auto c = parse("[cutover]\nbudget = 5\n", "x.toml");
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().message.find("budget"), std::string::npos);
}

TEST(Config, WrongTypesAndValuesAreRefused) {
    EXPECT_FALSE(parse("jobs = \"four\"", "x").ok());
    EXPECT_FALSE(parse("jobs = 0", "x").ok());
    EXPECT_FALSE(parse("[cutover]\ndrain_policy = \"maybe\"", "x").ok());
    EXPECT_FALSE(parse("[[pooler]]\nkind = \"pgbouncer\"", "x").ok());
    EXPECT_FALSE(parse("name = \"Has Space\"", "x").ok());
}

TEST(Config, EnvOverridesFileAndFlagsOverrideEnv) {
    Overrides o;
    o.green = "host=flag";
    auto c = load(o, fake_env({{"PGFLIP_BLUE", "host=env"}, {"PGFLIP_GREEN", "host=envg"}}));
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(c->blue, "host=env");
    EXPECT_EQ(c->green, "host=flag");
    EXPECT_EQ(c->blue_from_green, "host=env");
}

TEST(Config, MissingServersAreNamed) {
    Config c;
    auto s = require_servers(c);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().side, pgflip::Side::blue);
    c.blue = "host=x";
    EXPECT_EQ(require_servers(c).error().side, pgflip::Side::green);
}

TEST(Config, MissingExplicitFileIsAnError) {
    Overrides o;
    o.config_path = "/nonexistent/pgflip.toml";
    auto c = load(o, fake_env({}));
    ASSERT_FALSE(c.ok());
    EXPECT_NE(c.error().fix.find("--config"), std::string::npos);
}
