#include "verify/verify.hpp"

#include "catalog/servers.hpp"
#include "verify/schema.hpp"
#include "verify/sequences.hpp"

namespace pgflip::verify {

namespace {

constexpr auto catalog_timeout = std::chrono::seconds(120);

double seconds_since(pg::Clock::time_point start) {
    return std::chrono::duration<double>(pg::Clock::now() - start).count();
}

//! The main pair: connected and checked as a migration pair, then pinned like every other.
Result<SessionPair> open_main(const config::Config& config, Report& report) {
    auto servers = catalog::connect_servers(config, pg::after(catalog_timeout));
    if (!servers.ok()) return servers.take_error();
    report.blue_version = servers->blue_info.version;
    report.green_version = servers->green_info.version;
    SessionPair pair{std::move(servers->blue), std::move(servers->green)};
    PGFLIP_TRY(pin_session(pair.blue, pg::after(catalog_timeout)));
    PGFLIP_TRY(pin_session(pair.green, pg::after(catalog_timeout)));
    return pair;
}

Status run_data(const config::Config& config, SessionPair& pair, const Replication& rep,
                const Options& options, Progress::Mode mode, Report& report) {
    auto plan = plan_data(pair, options.data_options, pg::after(catalog_timeout));
    if (!plan.ok()) return plan.take_error();
    auto syncing = rep.syncing_tables(pair.green, pg::after(catalog_timeout));
    if (!syncing.ok()) return syncing.take_error();
    Progress progress(mode, plan->bytes, static_cast<int>(plan->pairs.size()));
    report.data = compare_data(config, std::move(plan).value(), rep, *syncing, options.data_options,
                               progress);
    return {};
}

}  // namespace

Result<Report> run(const config::Config& config, const Options& options, Progress::Mode progress) {
    const auto start = pg::Clock::now();
    Report report;
    auto pair = open_main(config, report);
    if (!pair.ok()) return pair.take_error();
    auto rep = Replication::detect(pair->blue, pair->green, pg::after(catalog_timeout));
    if (!rep.ok()) return rep.take_error();
    if (options.schema) {
        auto schema = compare_schema(*pair, pg::after(catalog_timeout));
        if (!schema.ok()) return schema.take_error();
        report.schema = std::move(schema).value();
    }
    if (options.sequences) {
        auto seqs = compare_sequences(*pair, rep->live(), pg::after(catalog_timeout));
        if (!seqs.ok()) return seqs.take_error();
        report.sequences = std::move(seqs).value();
    }
    if (options.data) PGFLIP_TRY(run_data(config, *pair, *rep, options, progress, report));
    report.seconds = seconds_since(start);
    return report;
}

}  // namespace pgflip::verify
