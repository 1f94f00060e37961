#include "common/pg_tools.hpp"

#include <cstdio>
#include <cstdlib>
#include <regex>
#include <sstream>
#include <vector>

namespace pgflip {

namespace fs = std::filesystem;

int tool_major(const fs::path& program) {
    std::string cmd = "'" + program.string() + "' --version 2>/dev/null";
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return 0;
    char buf[256] = {0};
    std::string out;
    while (std::fgets(buf, sizeof buf, p) != nullptr) out += buf;
    ::pclose(p);
    static const std::regex version(R"(\(PostgreSQL\) (\d+))");
    std::smatch m;
    if (!std::regex_search(out, m, version)) return 0;
    return std::stoi(m[1].str());
}

namespace {

std::vector<fs::path> candidates(const std::string& name) {
    std::vector<fs::path> out;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        out.push_back(entry.path() / "bin" / name);
    }
    if (const char* path = std::getenv("PATH")) {
        std::stringstream ss(path);
        std::string dir;
        while (std::getline(ss, dir, ':')) {
            if (!dir.empty()) out.push_back(fs::path(dir) / name);
        }
    }
    return out;
}

}  // namespace

std::optional<PgTool> find_pg_tool(const std::string& name, int min_major) {
    std::optional<PgTool> best;
    for (const fs::path& p : candidates(name)) {
        std::error_code ec;
        if (!fs::is_regular_file(p, ec)) continue;
        int major = tool_major(p);
        if (major < min_major || major == 0) continue;
        if (!best || major > best->major) best = PgTool{p, major};
    }
    return best;
}

}  // namespace pgflip
