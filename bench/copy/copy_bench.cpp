// The initial-copy benchmark (DESIGN.md §6): wall time from an empty green database to a fully
// indexed green streaming from blue, for `pgflip setup` and for the built-in copy_data = true
// with the schema and its indexes restored first (the write-up's runbook), on the same data in
// the same run, and their ratio. Blue's data is vacuumed (hint bits set) and in the page cache
// before either run, so neither pays for the other's first read.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "config/config.hpp"
#include "lab/lab.hpp"
#include "pg/connection.hpp"
#include "sync/process.hpp"
#include "sync/tools.hpp"

namespace {

using namespace pgflip;
namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

struct Options {
    int blue = 14;
    int green = 16;
    double gb = 1.0;
    int jobs = 4;
};

[[noreturn]] void die(const std::string& why) {
    std::fprintf(stderr, "copy_bench: %s\n", why.c_str());
    std::exit(1);
}

template <class T>
T must(Result<T> r) {
    if (!r.ok()) die(r.error().str());
    return std::move(r).value();
}

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i];
        std::string value = argv[i + 1];
        if (key == "--blue") {
            o.blue = std::atoi(value.c_str());
        } else if (key == "--green") {
            o.green = std::atoi(value.c_str());
        } else if (key == "--gb") {
            o.gb = std::atof(value.c_str());
        } else if (key == "--jobs") {
            o.jobs = std::atoi(value.c_str());
        } else {
            die("unknown option " + key + " (use --blue N --green N --gb X --jobs N)");
        }
    }
    return o;
}

pg::Connection connect(const std::string& conninfo) {
    auto info = must(pg::Conninfo::parse(conninfo, Side::local));
    return must(pg::Connection::connect(info, Side::local, pg::after(pg::milliseconds(30000))));
}

void run_sql(pg::Connection& conn, const std::string& sql) {
    auto r = conn.query(sql, pg::after(pg::milliseconds(4LL * 3600 * 1000)));
    if (!r.ok()) die(r.error().str());
}

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

//! One large table, one wide jsonb table (TOASTed), a hundred small ones, secondary indexes.
std::string dataset_sql(double gb) {
    auto n = [gb](double base) { return std::to_string(static_cast<long long>(base * gb)); };
    return R"sql(
CREATE TABLE big (id bigserial PRIMARY KEY, account_id int NOT NULL, created_at timestamptz NOT NULL,
                  amount numeric(12, 2) NOT NULL, status text NOT NULL, note text NOT NULL);
INSERT INTO big (account_id, created_at, amount, status, note)
SELECT g % 50000, timestamptz '2024-01-01' + g * interval '1 second', (g % 100000) / 100.0,
       (ARRAY['new', 'paid', 'shipped'])[1 + g % 3], repeat(md5(g::text), 15)
  FROM generate_series(1, )sql" +
           n(1100000) + R"sql() g;
CREATE INDEX big_account_idx ON big (account_id);
CREATE INDEX big_created_idx ON big (created_at);
CREATE TABLE docs (id int PRIMARY KEY, customer text NOT NULL, doc jsonb NOT NULL);
INSERT INTO docs
SELECT g, 'customer ' || g % 1000,
       jsonb_build_object('id', g, 'customer', g % 1000, 'items',
           (SELECT jsonb_agg(jsonb_build_object('sku', md5((g * 100 + i)::text), 'qty', i,
                                                'price', i * 1.5, 'note', md5(i::text)))
              FROM generate_series(1, 24) i))
  FROM generate_series(1, )sql" +
           n(120000) + R"sql() g;
CREATE INDEX docs_customer_idx ON docs (customer);
DO $$
BEGIN
    FOR i IN 1..100 LOOP
        EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, name text NOT NULL, v int NOT NULL,
                        at timestamptz NOT NULL DEFAULT now())', 'small_' || lpad(i::text, 3, '0'));
        EXECUTE format('INSERT INTO %I SELECT g, md5(g::text), g %% 100, now()
                        FROM generate_series(1, %s) g', 'small_' || lpad(i::text, 3, '0'), )sql" +
           n(10000) + R"sql();
        EXECUTE format('CREATE INDEX ON %I (v)', 'small_' || lpad(i::text, 3, '0'));
    END LOOP;
END
$$;
)sql";
}

//! Reads every file of the data directory once, so both runs find blue's data in the cache.
void warm_cache(const fs::path& data_dir) {
    std::vector<char> buf(1 << 20);
    for (const auto& entry : fs::recursive_directory_iterator(data_dir / "base")) {
        if (!entry.is_regular_file()) continue;
        std::ifstream in(entry.path(), std::ios::binary);
        while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0) {
        }
    }
}

void run_tool(const std::string& path, const std::vector<std::string>& args) {
    sync::Program p;
    p.path = path;
    p.args = args;
    auto r = must(sync::run_program(p, Side::local, pg::after(pg::milliseconds(3600 * 1000))));
    if (r.exit_code != 0) die(path + " failed: " + sync::stderr_tail(r.err));
}

//! The write-up's way: whole schema (indexes included), then CREATE SUBSCRIPTION with
//! copy_data = true, until every table is ready and the apply worker streams.
double run_builtin(const lab::Cluster& blue, const lab::Cluster& green, const Options& o) {
    config::Config config;
    auto tools = must(sync::find_tools(config, o.blue, o.green));
    auto started = Clock::now();
    fs::path dump = green.dir() / "builtin_schema.dump";
    run_tool(tools.pg_dump,
             {"--schema-only", "--format=custom", "--no-publications", "--no-subscriptions",
              "--file=" + dump.string(), "--dbname=" + blue.conninfo("bench")});
    run_tool(tools.pg_restore,
             {"--exit-on-error", "--dbname=" + green.conninfo("builtin"), dump.string()});
    auto b = connect(blue.conninfo("bench"));
    run_sql(b, "CREATE PUBLICATION builtin_pub FOR ALL TABLES");
    auto g = connect(green.conninfo("builtin"));
    run_sql(g, "CREATE SUBSCRIPTION builtin_sub CONNECTION " +
                   g.quote_literal(blue.conninfo("bench")) +
                   " PUBLICATION builtin_pub WITH (copy_data = true)");
    for (;;) {
        auto r = g.query_or_throw(
            "SELECT count(*) FILTER (WHERE r.srsubstate <> 'r'), count(*), "
            "(SELECT count(*) FROM pg_stat_subscription w WHERE w.subid = s.oid AND w.relid IS "
            "NULL) "
            "FROM pg_subscription s JOIN pg_subscription_rel r ON r.srsubid = s.oid "
            "WHERE s.subname = 'builtin_sub' GROUP BY s.oid");
        if (!r.empty() && r.num(0, 0) == 0 && r.num(0, 1) > 0 && r.num(0, 2) > 0) break;
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    double seconds = seconds_since(started);
    run_sql(g, "ALTER SUBSCRIPTION builtin_sub DISABLE");
    return seconds;
}

//! `pgflip setup`, from nothing to a streaming, indexed, analyzed green.
double run_pgflip(const lab::Cluster& blue, const lab::Cluster& green, const Options& o,
                  nlohmann::json& report) {
    fs::path state = green.dir() / "pgflip_state";
    sync::Program p;
    p.path = PGFLIP_BINARY;
    p.args = {"--blue",      blue.conninfo("bench"), "--green", green.conninfo("pgflip"),
              "--state-dir", state.string(),         "--json",  "setup",
              "--jobs",      std::to_string(o.jobs)};
    p.env = {{"PGFLIP_NAME", "bench"}};
    p.capture_stdout = true;
    auto started = Clock::now();
    auto r = must(sync::run_program(p, Side::local, pg::after(pg::milliseconds(4 * 3600 * 1000))));
    double seconds = seconds_since(started);
    if (r.exit_code != 0) die("pgflip setup failed: " + r.out + r.err);
    report = nlohmann::json::parse(r.out);
    return seconds;
}

long long count_rows(const std::string& conninfo) {
    auto c = connect(conninfo);
    return c.query_or_throw("SELECT (SELECT count(*) FROM big) + (SELECT count(*) FROM docs)")
        .num(0, 0);
}

lab::Cluster start_cluster(int major) {
    lab::ClusterOptions options;
    options.major = major;
    options.settings["max_wal_size"] = "4GB";  // no checkpoint storms during either copy
    return must(lab::Cluster::start(options));
}

}  // namespace

int main(int argc, char** argv) {
    Options o = parse(argc, argv);
    std::printf("copy bench: PG %d -> PG %d, %.1f GB, %u cores\n", o.blue, o.green, o.gb,
                std::thread::hardware_concurrency());
    auto blue = start_cluster(o.blue);
    auto green = start_cluster(o.green);
    {
        auto admin = connect(blue.conninfo());
        run_sql(admin, "CREATE DATABASE bench");
        auto ga = connect(green.conninfo());
        run_sql(ga, "CREATE DATABASE builtin");
        run_sql(ga, "CREATE DATABASE pgflip");
    }
    auto started = Clock::now();
    auto b = connect(blue.conninfo("bench"));
    run_sql(b, dataset_sql(o.gb));
    run_sql(b, "VACUUM (ANALYZE)");
    run_sql(b, "CHECKPOINT");
    auto size = b.query_or_throw(
        "SELECT pg_size_pretty(pg_database_size(current_database())), "
        "pg_size_pretty(sum(pg_table_size(oid))) FROM pg_class WHERE relkind = 'r' "
        "AND relnamespace = 'public'::regnamespace");
    std::printf("data: %s database (%s of tables) generated in %.0f s\n", size.str(0, 0).c_str(),
                size.str(0, 1).c_str(), seconds_since(started));
    warm_cache(blue.data_dir());

    double builtin = run_builtin(blue, green, o);
    std::printf("built-in copy_data = true:  %7.1f s\n", builtin);
    run_sql(b, "CHECKPOINT");
    auto gc = connect(green.conninfo());
    run_sql(gc, "CHECKPOINT");
    warm_cache(blue.data_dir());

    nlohmann::json report;
    double pgflip = run_pgflip(blue, green, o, report);
    std::printf("pgflip setup --jobs %d:      %7.1f s   steps (ms): %s\n", o.jobs, pgflip,
                report["step_ms"].dump().c_str());
    long long expected = count_rows(blue.conninfo("bench"));
    if (count_rows(green.conninfo("builtin")) != expected ||
        count_rows(green.conninfo("pgflip")) != expected) {
        die("row counts differ between blue and a green");
    }
    std::printf("ratio pgflip / built-in:     %7.2f   (target: at most 0.50)\n", pgflip / builtin);
    std::printf("%s\n", nlohmann::json({{"bench", "copy"},
                                        {"blue", o.blue},
                                        {"green", o.green},
                                        {"gb", o.gb},
                                        {"jobs", o.jobs},
                                        {"builtin_s", builtin},
                                        {"pgflip_s", pgflip},
                                        {"ratio", pgflip / builtin},
                                        {"pgflip_steps_ms", report["step_ms"]}})
                            .dump()
                            .c_str());
    return 0;
}
