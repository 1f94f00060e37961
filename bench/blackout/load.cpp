#include "load.hpp"

#include <chrono>
#include <regex>
#include <utility>

namespace pgflip::bench {

namespace {

constexpr milliseconds finish_grace{30000};

fs::path log_prefix(const LoadOptions& o) {
    return o.dir / (o.tag + ".txlog");
}

fs::path output_path(const LoadOptions& o) {
    return o.dir / (o.tag + ".pgbench.out");
}

std::vector<std::string> pgbench_argv(const LoadOptions& o) {
    std::vector<std::string> argv = {o.pgbench.string(),
                                     "-n",  // no vacuum: it would truncate pgbench_history
                                     "-M",
                                     "simple",
                                     "-h",
                                     "127.0.0.1",
                                     "-p",
                                     std::to_string(o.port),
                                     "-U",
                                     o.user,
                                     "-c",
                                     std::to_string(o.clients),
                                     "-j",
                                     std::to_string(o.threads),
                                     "-T",
                                     std::to_string(o.seconds),
                                     "-P",
                                     "5",
                                     "-l",
                                     "--log-prefix=" + log_prefix(o).string(),
                                     "--failures-detailed"};
    if (o.rate > 0) {
        argv.push_back("-R");
        argv.push_back(std::to_string(o.rate));
    }
    argv.push_back(o.dbname);
    return argv;
}

//! The log files of every pgbench thread: <prefix>.<pid> and <prefix>.<pid>.<thread>.
std::vector<fs::path> log_files(const LoadOptions& o, int pid) {
    const std::string first = log_prefix(o).filename().string() + "." + std::to_string(pid);
    std::vector<fs::path> out;
    for (const auto& entry : fs::directory_iterator(o.dir)) {
        const auto name = entry.path().filename().string();
        if (name == first || name.starts_with(first + ".")) out.push_back(entry.path());
    }
    return out;
}

long long summary_number(const std::string& text, const std::string& label) {
    const std::regex pattern(label + R"(: (\d+))");
    std::smatch m;
    if (!std::regex_search(text, m, pattern)) return 0;
    return std::stoll(m[1].str());
}

int aborted_clients(const std::string& text) {
    const std::regex pattern(R"(client \d+ aborted)");
    return static_cast<int>(
        std::distance(std::sregex_iterator(text.begin(), text.end(), pattern), {}));
}

}  // namespace

Result<Load> Load::start(LoadOptions options) {
    const Command command{pgbench_argv(options), {}, output_path(options), {}};
    const auto started = epoch_now();
    auto child = Child::spawn(command);
    if (!child) return child.take_error();
    return Load(std::move(options), std::move(*child), started);
}

Result<LoadResult> Load::finish() {
    const int pid = child_.pid();
    const auto deadline =
        SteadyClock::now() + std::chrono::seconds(options_.seconds) + finish_grace;
    auto code = child_.wait(deadline);
    if (!code) return code.take_error();
    LoadResult result;
    result.exit_code = *code;
    result.output = output_path(options_);
    const auto text = read_text(result.output);
    result.processed = summary_number(text, "number of transactions actually processed");
    result.failed = summary_number(text, "number of failed transactions");
    result.aborted_clients = aborted_clients(text);
    auto log = read_tx_logs(log_files(options_, pid));
    if (!log) return log.take_error();
    result.log = std::move(*log);
    return result;
}

}  // namespace pgflip::bench
