// The verify benchmark (DESIGN.md §6): wall time of `pgflip verify` on a ~1 GB database (one
// large table, one wide jsonb table, a hundred small tables, secondary indexes) side by side, in
// the same run, with the anchor: the whole-table text checksum existing copy tools compare with
// (count(*) plus sum(hashtext(row::text)) of every table, blue and green in parallel, as many
// tables at once as verify's jobs). Then the same verify after a few rows were changed on green,
// to show the differences are located at about the same cost. Prints times and ratios.
#include <cstdio>
#include <cstdlib>
#include <future>
#include <string>
#include <thread>
#include <vector>

#include "lab/lab.hpp"
#include "pg/connection.hpp"
#include "support/dataset.hpp"
#include "support/harness.hpp"
#include "verify/verify.hpp"

namespace {

using namespace pgflip;
using namespace pgflip::bench;

struct Options {
    int blue = 14;
    int green = 17;
    double gb = 1.0;
    int jobs = 2;
    int repeat = 3;  //!< runs of each; the medians count
};

Options parse(int argc, char** argv) {
    Options o;
    for (int i = 1; i + 1 < argc; i += 2) {
        const std::string key = argv[i];
        const int value = std::atoi(argv[i + 1]);
        if (key == "--blue") {
            o.blue = value;
        } else if (key == "--green") {
            o.green = value;
        } else if (key == "--gb") {
            o.gb = std::atof(argv[i + 1]);
        } else if (key == "--jobs") {
            o.jobs = value;
        } else if (key == "--repeat") {
            o.repeat = value;
        } else {
            die("unknown option " + key + " (use --blue N --green N --gb X --jobs N --repeat N)");
        }
    }
    return o;
}

// ---- the database -------------------------------------------------------------------------------

std::vector<std::string> table_names(pg::Connection& conn) {
    auto rows = run_sql(conn,
                        "SELECT format('%I.%I', schemaname, relname) FROM pg_stat_user_tables "
                        "ORDER BY pg_relation_size(relid) DESC");
    std::vector<std::string> out;
    for (int r = 0; r < rows.size(); ++r) out.push_back(rows.str(r, 0));
    return out;
}

//! Copies every table from blue to green with COPY (binary), then vacuums both.
void copy_to_green(pg::Connection& blue, pg::Connection& green) {
    const auto deadline = pg::after(pg::milliseconds(4LL * 3600 * 1000));
    for (const auto& table : table_names(blue)) {
        must(green.begin_copy_in("COPY " + table + " FROM STDIN (FORMAT binary)", deadline));
        must(blue.copy_out(
            "COPY " + table + " TO STDOUT (FORMAT binary)",
            [&](std::string_view chunk) { return green.put_copy_data(chunk, deadline).ok(); },
            deadline));
        must(green.end_copy(deadline));
    }
}

// ---- the two measurements -----------------------------------------------------------------------

//! count(*) and sum(hashtext(row::text)) of one table on one side.
std::string checksum(pg::Connection& conn, const std::string& table) {
    auto r = run_sql(
        conn, "SELECT count(*), sum(hashtext(pgflip_row::text)) FROM " + table + " AS pgflip_row");
    return r.str(0, 0) + "/" + r.str(0, 1);
}

//! The anchor: every table checksummed on both sides in parallel, `jobs` tables at a time.
double run_anchor(const lab::Cluster& blue, const lab::Cluster& green, int jobs, bool& equal) {
    auto names_conn = connect(blue.conninfo("bench"));
    const auto tables = table_names(names_conn);
    std::atomic<size_t> next{0};
    std::atomic<int> differ{0};
    const auto start = Clock::now();
    std::vector<std::thread> workers;
    for (int j = 0; j < jobs; ++j) {
        workers.emplace_back([&] {
            auto b = connect(blue.conninfo("bench"));
            auto g = connect(green.conninfo("bench"));
            for (size_t i = next++; i < tables.size(); i = next++) {
                auto on_blue =
                    std::async(std::launch::async, [&] { return checksum(b, tables[i]); });
                const std::string on_green = checksum(g, tables[i]);
                if (on_blue.get() != on_green) ++differ;
            }
        });
    }
    for (auto& w : workers) w.join();
    equal = differ == 0;
    return seconds_since(start);
}

double run_verify(const lab::Cluster& blue, const lab::Cluster& green, int jobs,
                  verify::Report& report) {
    config::Config config;
    config.blue = blue.conninfo("bench");
    config.green = green.conninfo("bench");
    verify::Options options;
    options.data_options.jobs = jobs;
    const auto start = Clock::now();
    report = must(verify::run(config, options, verify::Progress::Mode::quiet));
    return seconds_since(start);
}

lab::Cluster start_cluster(int major) {
    lab::ClusterOptions options;
    options.major = major;
    options.settings["max_wal_size"] = "4GB";
    options.settings["shared_buffers"] = "512MB";
    return must(lab::Cluster::start(options));
}

long long database_bytes(pg::Connection& conn) {
    return run_sql(conn, "SELECT pg_database_size(current_database())").num(0, 0);
}

long long differences(const verify::Report& report) {
    long long n = 0;
    for (const auto& t : report.data.tables) n += t.differences;
    return n;
}

}  // namespace

int run(int argc, char** argv) {
    const Options o = parse(argc, argv);
    std::printf("verify bench: PG %d -> PG %d, %.1f GB, %d jobs, median of %d, %u cores\n", o.blue,
                o.green, o.gb, o.jobs, o.repeat, std::thread::hardware_concurrency());
    lab::Cluster blue = start_cluster(o.blue);
    lab::Cluster green = start_cluster(o.green);
    auto b_admin = connect(blue.conninfo());
    auto g_admin = connect(green.conninfo());
    run_sql(b_admin, "CREATE DATABASE bench");
    run_sql(g_admin, "CREATE DATABASE bench");
    auto b = connect(blue.conninfo("bench"));
    auto g = connect(green.conninfo("bench"));
    auto started = Clock::now();
    run_sql(b, bench::dataset_tables_sql());
    run_sql(g, bench::dataset_tables_sql());
    run_sql(b, bench::dataset_rows_sql(o.gb));
    copy_to_green(b, g);
    run_sql(b, bench::dataset_indexes_sql());
    run_sql(g, bench::dataset_indexes_sql());
    run_sql(b, "VACUUM ANALYZE");
    run_sql(g, "VACUUM ANALYZE");
    std::printf("loaded %.0f MB on blue, %.0f MB on green in %.0f s\n",
                static_cast<double>(database_bytes(b)) / 1e6,
                static_cast<double>(database_bytes(g)) / 1e6, seconds_since(started));

    bool equal = false;
    verify::Report report;
    run_anchor(blue, green, o.jobs, equal);  // warms both caches once
    std::vector<double> anchors;
    std::vector<double> verifies;
    for (int i = 0; i < o.repeat; ++i) {
        anchors.push_back(run_anchor(blue, green, o.jobs, equal));
        verifies.push_back(run_verify(blue, green, o.jobs, report));
        std::printf("  run %d: anchor %.2f s, verify %.2f s\n", i + 1, anchors.back(),
                    verifies.back());
    }
    const double anchor = median(anchors);
    const double verified = median(verifies);
    if (!equal || verify::has_differences(report)) die("blue and green should be equal here");

    run_sql(
        g,
        "DELETE FROM big WHERE id = 123457; UPDATE big SET amount = amount + 1 WHERE id = 777777;"
        " UPDATE docs SET doc = jsonb_set(doc, '{customer}', '0') WHERE id = 4242;"
        " INSERT INTO small_050 VALUES (-1, 'x', 1, now())");
    std::vector<double> locating;
    for (int i = 0; i < o.repeat; ++i) {
        locating.push_back(run_verify(blue, green, o.jobs, report));
        std::printf("  run %d with differences: verify %.2f s\n", i + 1, locating.back());
    }
    const double located = median(locating);
    std::printf("\nanchor (count + sum(hashtext(row::text)), both sides): %8.2f s\n", anchor);
    std::printf("pgflip verify, equal databases:                         %8.2f s  ratio %.2fx\n",
                verified, verified / anchor);
    std::printf("pgflip verify, 4 rows differ (all located, %lld found):   %8.2f s  ratio %.2fx\n",
                differences(report), located, located / anchor);
    return differences(report) == 4 ? 0 : 1;
}

int main(int argc, char** argv) {
    return pgflip::bench::bench_main("verify_bench", [&] { return run(argc, argv); });
}
