// The lab itself: real clusters of every installed major and a real PgBouncer start, serve,
// run as the unprivileged server user, and stop; failures come back as Errors with the log.
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "lab/detail.hpp"
#include "lab_fixture.hpp"

namespace pgflip::test {
namespace {

namespace fs = std::filesystem;

//! The uid of the process named by a pid file (postmaster.pid, pgbouncer.pid).
std::optional<unsigned> uid_from_pid_file(const fs::path& pid_file) {
    const int pid = lab::detail::read_pid_file(pid_file);
    if (pid == 0) return std::nullopt;
    return lab::detail::process_uid(pid);
}

void expect_not_root(const fs::path& pid_file) {
    const auto uid = uid_from_pid_file(pid_file);
    ASSERT_TRUE(uid.has_value()) << "no live process in " << pid_file;
    EXPECT_EQ(*uid, must(lab::server_user_ids()).first);
    if (::geteuid() == 0) {
        EXPECT_NE(*uid, 0U);
    }
}

//! A directory of our own under /tmp that the server user can pass through (or not, when
//! `open` is false), removed at the end of the test.
class ScratchDir {
  public:
    explicit ScratchDir(bool open = true) {
        std::string templ = "/tmp/pgflip-test-XXXXXX";
        if (::mkdtemp(templ.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
        path_ = templ;
        if (open) fs::permissions(path_, fs::perms::others_exec, fs::perm_options::add);
    }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    ~ScratchDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    [[nodiscard]] const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

int first_major() {
    const auto majors = test_majors();
    if (majors.empty()) throw std::runtime_error("no PostgreSQL installed: run install-deps.sh");
    return majors.front();
}

// ---- paths, ports, processes ------------------------------------------------------------------

TEST(LabPaths, EveryInstalledMajorHasInitdbPgCtlAndPostgres) {
    const auto majors = lab::installed_majors();
    ASSERT_FALSE(majors.empty()) << "run scripts/install-deps.sh";
    for (const int major : majors) {
        const auto bindir = lab::pg_bindir(major);
        ASSERT_TRUE(bindir.has_value()) << major;
        for (const char* program : {"initdb", "pg_ctl", "postgres"}) {
            EXPECT_TRUE(fs::exists(*bindir / program)) << *bindir / program;
        }
    }
    EXPECT_FALSE(lab::pg_bindir(9).has_value());
}

TEST(LabPaths, PostgresReportsItsMajor) {
    const ScratchDir scratch;
    for (const int major : test_majors()) {
        const fs::path log = scratch.path() / ("version-" + std::to_string(major));
        const auto bindir = lab::pg_bindir(major);
        ASSERT_TRUE(bindir.has_value());
        const auto code =
            lab::run_as_server_user({(*bindir / "postgres").string(), "--version"}, log);
        ASSERT_TRUE(ok(code));
        EXPECT_EQ(*code, 0);
        EXPECT_NE(slurp(log).find("(PostgreSQL) " + std::to_string(major) + "."), std::string::npos)
            << slurp(log);
    }
}

TEST(LabNet, FreePortIsFreeAndNothingListens) {
    const int port = lab::free_port();
    ASSERT_GT(port, 0);
    EXPECT_FALSE(lab::port_accepts(port));
}

TEST(LabProcess, RunsAsTheServerUser) {
    const ScratchDir scratch;
    ASSERT_TRUE(ok(lab::detail::hand_over(scratch.path())));
    const fs::path log = scratch.path() / "id.out";
    const auto code = lab::run_as_server_user({"/usr/bin/id", "-u"}, log);
    ASSERT_TRUE(ok(code));
    EXPECT_EQ(*code, 0);
    const auto ids = must(lab::server_user_ids());
    EXPECT_EQ(std::stoul(slurp(log)), ids.first);
    if (::geteuid() == 0) {
        EXPECT_NE(ids.first, 0U);
    }
}

TEST(LabProcess, ReturnsTheExitCode) {
    const auto code = lab::run_as_server_user({"/bin/sh", "-c", "exit 3"});
    ASSERT_TRUE(ok(code));
    EXPECT_EQ(*code, 3);
}

TEST(LabProcess, ReportsAProgramThatCannotRun) {
    const auto code = lab::run_as_server_user({"/nonexistent/program"});
    ASSERT_FALSE(code.ok());
    EXPECT_NE(code.error().message.find("No such file"), std::string::npos) << code.error().str();
}

// ---- clusters ---------------------------------------------------------------------------------

class ClusterPerMajor : public ::testing::TestWithParam<int> {};

TEST_P(ClusterPerMajor, StartsServesAsServerUserAndStops) {
    lab::ClusterOptions options;
    options.major = GetParam();
    auto cluster = must(lab::Cluster::start(options));
    std::printf("[lab] PostgreSQL %d: initdb %lld ms, start %lld ms\n", GetParam(),
                static_cast<long long>(cluster.initdb_time().count()),
                static_cast<long long>(cluster.start_time().count()));
    RecordProperty("initdb_ms", static_cast<int>(cluster.initdb_time().count()));
    RecordProperty("start_ms", static_cast<int>(cluster.start_time().count()));

    EXPECT_TRUE(cluster.running());
    EXPECT_TRUE(lab::port_accepts(cluster.port()));
    expect_not_root(cluster.data_dir() / "postmaster.pid");

    auto conn = connect_or_throw(cluster.conninfo());
    EXPECT_EQ(conn.server_version() / 10000, GetParam());
    const auto rows = conn.query_or_throw(
        "SELECT current_setting('wal_level'), current_setting('max_replication_slots'), "
        "current_setting('server_encoding')");
    EXPECT_EQ(rows.str(0, 0), "logical");
    EXPECT_EQ(rows.str(0, 1), "20");
    EXPECT_EQ(rows.str(0, 2), "UTF8");

    const fs::path dir = cluster.dir();
    ASSERT_TRUE(ok(cluster.stop()));
    EXPECT_FALSE(cluster.running());
    EXPECT_FALSE(lab::port_accepts(cluster.port()));
    { auto gone = std::move(cluster); }
    EXPECT_FALSE(fs::exists(dir)) << "a temporary cluster directory is removed with its Cluster";
}

INSTANTIATE_TEST_SUITE_P(Installed, ClusterPerMajor, ::testing::ValuesIn(test_majors()),
                         major_name);

TEST(LabCluster, OtherRolesNeedTheirPassword) {
    const auto& cluster = shared_cluster(first_major());
    auto admin = connect_or_throw(cluster.conninfo());
    admin.query_or_throw("DROP ROLE IF EXISTS lab_alice");
    admin.query_or_throw("CREATE ROLE lab_alice LOGIN PASSWORD 'wonderland'");
    EXPECT_NO_THROW(connect_or_throw(cluster.conninfo() + " user=lab_alice password=wonderland"));
    auto info = must(pg::Conninfo::parse(cluster.conninfo() + " user=lab_alice password=nope"));
    const auto wrong =
        pg::Connection::connect(info, Side::local, pg::after(pg::milliseconds(5000)));
    EXPECT_FALSE(wrong.ok());
    admin.query_or_throw("DROP ROLE lab_alice");
}

TEST(LabCluster, SettingsReachTheServer) {
    lab::ClusterOptions options;
    options.major = first_major();
    options.settings["work_mem"] = "7MB";
    options.settings["application_name"] = "it's quoted";
    auto cluster = must(lab::Cluster::start(options));
    auto conn = connect_or_throw(cluster.conninfo());
    EXPECT_EQ(conn.query_or_throw("SHOW work_mem").str(0, 0), "7MB");
    EXPECT_EQ(conn.query_or_throw("SHOW fsync").str(0, 0), "off");
}

TEST(LabCluster, RestartKeepsPortAndData) {
    lab::ClusterOptions options;
    options.major = first_major();
    auto cluster = must(lab::Cluster::start(options));
    connect_or_throw(cluster.conninfo()).query_or_throw("CREATE TABLE kept (id int)");
    const int port = cluster.port();
    ASSERT_TRUE(ok(cluster.restart()));
    EXPECT_EQ(cluster.port(), port);
    auto conn = connect_or_throw(cluster.conninfo());
    EXPECT_EQ(conn.query_or_throw("SELECT count(*) FROM kept").num(0, 0), 0);
}

TEST(LabCluster, AttachFindsAReleasedClusterInAGivenDirectory) {
    const ScratchDir scratch;
    lab::ClusterOptions options;
    options.major = first_major();
    options.dir = scratch.path() / "blue";
    int port = 0;
    {
        auto cluster = must(lab::Cluster::start(options));
        port = cluster.port();
        cluster.release();
    }
    auto attached = must(lab::Cluster::attach(options.dir));
    EXPECT_TRUE(attached.running());
    EXPECT_EQ(attached.port(), port);
    EXPECT_EQ(attached.major(), options.major);
    ASSERT_TRUE(ok(attached.stop()));
    EXPECT_FALSE(attached.running());
    EXPECT_TRUE(fs::exists(options.dir / "data" / "PG_VERSION")) << "a given directory stays";

    const auto again = lab::Cluster::start(options);
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("already holds a data directory"), std::string::npos);
}

TEST(LabCluster, DirectoryClosedToTheServerUserFailsWithAFix) {
    if (::geteuid() != 0) GTEST_SKIP() << "only root runs servers as another user";
    const ScratchDir closed(false);
    lab::ClusterOptions options;
    options.major = first_major();
    options.dir = closed.path() / "blue";
    const auto cluster = lab::Cluster::start(options);
    ASSERT_FALSE(cluster.ok());
    EXPECT_NE(cluster.error().message.find("cannot write to"), std::string::npos)
        << cluster.error().str();
    EXPECT_NE(cluster.error().fix.find("/tmp"), std::string::npos);
}

TEST(LabCluster, AttachWithoutMetadataFails) {
    const ScratchDir scratch;
    const auto attached = lab::Cluster::attach(scratch.path());
    ASSERT_FALSE(attached.ok());
    EXPECT_EQ(attached.error().side, Side::local);
}

TEST(LabCluster, BadSettingFailsWithTheLogTail) {
    lab::ClusterOptions options;
    options.major = first_major();
    options.settings["shared_buffers"] = "lots";
    const auto cluster = lab::Cluster::start(options);
    ASSERT_FALSE(cluster.ok());
    EXPECT_NE(cluster.error().message.find("shared_buffers"), std::string::npos)
        << cluster.error().str();
}

TEST(LabCluster, TakenPortFailsClearly) {
    const auto& busy = shared_cluster(first_major());
    lab::ClusterOptions options;
    options.major = first_major();
    options.port = busy.port();
    const auto cluster = lab::Cluster::start(options);
    ASSERT_FALSE(cluster.ok());
    EXPECT_NE(cluster.error().message.find("Address already in use"), std::string::npos)
        << cluster.error().str();
}

TEST(LabCluster, MissingMajorFailsWithAFix) {
    lab::ClusterOptions options;
    options.major = 9;
    const auto cluster = lab::Cluster::start(options);
    ASSERT_FALSE(cluster.ok());
    EXPECT_NE(cluster.error().fix.find("install-deps.sh"), std::string::npos);
}

TEST(LabFixture, EachTestDatabaseIsNewAndDroppedAfterwards) {
    const auto& cluster = shared_cluster(first_major());
    std::string first_name;
    {
        const TestDatabase first(cluster);
        const TestDatabase second(cluster);
        first_name = first.name();
        EXPECT_NE(first.name(), second.name());
        EXPECT_EQ(first.name().rfind("t_labfixture_", 0), 0U) << first.name();
        EXPECT_EQ(first.connect().query_or_throw("SELECT current_database()").str(0, 0),
                  first.name());
    }
    auto admin = connect_or_throw(cluster.conninfo());
    const auto rows =
        admin.query_or_throw("SELECT count(*) FROM pg_database WHERE datname = $1", {first_name});
    EXPECT_EQ(rows.num(0, 0), 0);
}

// ---- PgBouncer --------------------------------------------------------------------------------

TEST(LabBouncer, ServesADatabaseAsServerUserAndStops) {
    const auto& cluster = shared_cluster(first_major());
    const TestDatabase db(cluster);
    auto bouncer = bouncer_in_front(cluster, {db.name()});
    std::printf("[lab] PgBouncer: start %lld ms\n",
                static_cast<long long>(bouncer.start_time().count()));
    RecordProperty("bouncer_start_ms", static_cast<int>(bouncer.start_time().count()));

    EXPECT_TRUE(bouncer.running());
    EXPECT_TRUE(lab::port_accepts(bouncer.port()));
    expect_not_root(bouncer.dir() / "pgbouncer.pid");
    EXPECT_NE(slurp(bouncer.ini()).find("pool_mode = transaction"), std::string::npos);

    auto app = connect_or_throw(bouncer.conninfo(db.name()));
    EXPECT_EQ(app.query_or_throw("SELECT current_database()").str(0, 0), db.name());
    auto console = connect_or_throw(bouncer.admin_conninfo(), Side::pooler);
    auto pools = console.query("SHOW POOLS");
    ASSERT_TRUE(ok(pools));
    EXPECT_GE(pools->size(), 1);

    ASSERT_TRUE(ok(bouncer.stop()));
    EXPECT_FALSE(bouncer.running());
    EXPECT_FALSE(lab::port_accepts(bouncer.port()));
}

TEST(LabBouncer, ReloadsARewrittenIni) {
    const auto& cluster = shared_cluster(first_major());
    const TestDatabase db(cluster);
    auto bouncer = bouncer_in_front(cluster, {db.name()});
    std::string ini = slurp(bouncer.ini());
    ini.replace(ini.find("default_pool_size = 20"), 22, "default_pool_size = 7");
    ASSERT_TRUE(ok(lab::detail::write_file(bouncer.ini(), ini)));
    auto console = connect_or_throw(bouncer.admin_conninfo(), Side::pooler);
    ASSERT_TRUE(ok(console.query("RELOAD")));
    const auto config = console.query("SHOW CONFIG");
    ASSERT_TRUE(ok(config));
    bool seen = false;
    for (int row = 0; row < config->size(); ++row) {
        if (config->str(row, 0) != "default_pool_size") continue;
        seen = true;
        EXPECT_EQ(config->str(row, 1), "7");
    }
    EXPECT_TRUE(seen);
}

TEST(LabBouncer, PasswordUsersReachTheServerThroughScram) {
    const auto& cluster = shared_cluster(first_major());
    const TestDatabase db(cluster);
    auto admin = connect_or_throw(cluster.conninfo());
    admin.query_or_throw("DROP ROLE IF EXISTS lab_bob");
    admin.query_or_throw("CREATE ROLE lab_bob LOGIN PASSWORD 'builder'");
    lab::BouncerOptions options;
    options.auth_type = "scram-sha-256";
    options.users["lab_bob"] = "builder";
    options.users["postgres"] = "console-secret";
    {
        auto bouncer = bouncer_in_front(cluster, {db.name()}, options);
        auto conn = connect_or_throw(bouncer.conninfo(db.name(), "lab_bob") + " password=builder");
        EXPECT_EQ(conn.query_or_throw("SELECT current_user").str(0, 0), "lab_bob");
    }
    admin.query_or_throw("DROP ROLE lab_bob");
}

TEST(LabBouncer, AttachFindsAReleasedBouncer) {
    const ScratchDir scratch;
    lab::BouncerOptions options;
    options.dir = scratch.path() / "pooler";
    int port = 0;
    {
        auto bouncer = must(lab::Bouncer::start(options));
        port = bouncer.port();
        bouncer.release();
    }
    auto attached = must(lab::Bouncer::attach(options.dir));
    EXPECT_TRUE(attached.running());
    EXPECT_EQ(attached.port(), port);
    ASSERT_TRUE(ok(attached.stop()));
    EXPECT_FALSE(attached.running());
}

//! Pids of live pgbouncer processes whose command line names `dir`.
std::vector<int> bouncers_in(const std::filesystem::path& dir) {
    std::vector<int> pids;
    for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
        const std::string name = entry.path().filename().string();
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::string cmdline = slurp(entry.path() / "cmdline");
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        if (cmdline.find("pgbouncer") != std::string::npos &&
            cmdline.find(dir.string()) != std::string::npos && process_alive(std::stoi(name))) {
            pids.push_back(std::stoi(name));
        }
    }
    return pids;
}

TEST(LabBouncer, TakenPortFailsFastWithTheLogAndLeavesNothingRunning) {
    const auto& busy = shared_cluster(first_major());
    TempDir dir("pgb-taken");
    std::filesystem::permissions(dir.path(), std::filesystem::perms::others_exec,
                                 std::filesystem::perm_options::add);  // for the server user
    lab::BouncerOptions options;
    options.port = busy.port();
    options.dir = dir.path() / "bouncer";
    const auto began = std::chrono::steady_clock::now();
    const auto bouncer = lab::Bouncer::start(options);
    ASSERT_FALSE(bouncer.ok());
    EXPECT_NE(bouncer.error().message.find("Address already in use"), std::string::npos)
        << bouncer.error().str();
    EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(5));
    // A daemon that lost the port must not live on (it once did, on a Unix socket).
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    EXPECT_TRUE(bouncers_in(options.dir).empty());
}

TEST(LabBouncer, BadIniFailsWithTheLog) {
    lab::BouncerOptions options;
    options.pool_mode = "sometimes";
    const auto bouncer = lab::Bouncer::start(options);
    ASSERT_FALSE(bouncer.ok());
    EXPECT_NE(bouncer.error().message.find("pool_mode"), std::string::npos)
        << bouncer.error().str();
}

}  // namespace
}  // namespace pgflip::test
