#include "common/pg_tools.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

#include "common/process.hpp"

namespace pgflip {

namespace fs = std::filesystem;

namespace {

//! A healthy `--version` answers at once; this only stops a program that hangs.
constexpr std::chrono::seconds version_timeout{10};
constexpr std::size_t version_output_max = 4096;

bool executable(const fs::path& path) {
    std::error_code ec;
    return fs::is_regular_file(path, ec) && ::access(path.c_str(), X_OK) == 0;
}

//! Candidate paths: Debian's versioned directories first (sorted), then PATH order.
std::vector<std::string> candidates(const std::string& name) {
    std::vector<std::string> out;
    std::error_code ec;
    std::vector<fs::path> versioned;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        versioned.push_back(entry.path() / "bin" / name);
    }
    std::sort(versioned.begin(), versioned.end());
    for (const auto& p : versioned) out.push_back(p.string());
    const char* path_env = std::getenv("PATH");
    const std::string dirs = path_env != nullptr ? path_env : "";
    for (std::size_t start = 0; start <= dirs.size();) {
        std::size_t end = dirs.find(':', start);
        if (end == std::string::npos) end = dirs.size();
        if (end > start) out.push_back((fs::path(dirs.substr(start, end - start)) / name).string());
        start = end + 1;
    }
    return out;
}

//! What `path --version` printed, if it exited 0 in time; run without a shell.
std::optional<std::string> version_output(const std::string& path) {
    ProcessSpec spec;
    spec.argv = {path, "--version"};
    spec.out = Output::captured(version_output_max);
    auto result = run_process(spec, ProcessClock::now() + version_timeout);
    if (!result || result->killed || result->exit_code != 0) return std::nullopt;
    return std::move(result->out);
}

}  // namespace

std::optional<PgTool> parse_pg_tool_version(const std::string& name, const std::string& path,
                                            const std::string& output) {
    static const std::regex pattern(R"((\S+) \(PostgreSQL\) (\d+)(\.\d+|[a-z]+\d*)?)");
    std::smatch m;
    if (!std::regex_search(output, m, pattern) || m[1].str() != name) return std::nullopt;
    return PgTool{path, std::atoi(m[2].str().c_str()), m[2].str() + m[3].str()};
}

std::vector<PgTool> find_pg_tools(const std::string& name, const std::string& configured) {
    const std::vector<std::string> paths =
        configured.empty() ? candidates(name) : std::vector<std::string>{configured};
    std::vector<PgTool> out;
    std::set<std::string> seen;
    for (const auto& path : paths) {
        if (!executable(path)) continue;
        std::error_code ec;
        const fs::path real = fs::weakly_canonical(path, ec);
        // Debian's pg_wrapper (a Perl script, slow to start) only dispatches to the versioned
        // binaries under /usr/lib/postgresql, which are probed directly.
        if (configured.empty() && real.filename() == "pg_wrapper") continue;
        if (!seen.insert(real.string()).second) continue;
        auto text = version_output(path);
        if (!text) continue;
        if (auto tool = parse_pg_tool_version(name, path, *text)) out.push_back(std::move(*tool));
    }
    return out;
}

std::optional<PgTool> newest_pg_tool(const std::vector<PgTool>& found, int min_major) {
    std::optional<PgTool> best;
    for (const auto& tool : found) {
        if (tool.major < min_major) continue;
        if (!best || tool.major > best->major) best = tool;
    }
    return best;
}

std::optional<PgTool> find_pg_tool(const std::string& name, int min_major) {
    return newest_pg_tool(find_pg_tools(name), min_major);
}

}  // namespace pgflip
