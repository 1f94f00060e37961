// Files and directories the lab shares with the server user: written by us (root or not),
// owned by the server user so it can read them and PostgreSQL accepts its data directory.
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "lab/detail.hpp"

namespace pgflip::lab::detail {

namespace {

constexpr std::uintmax_t tail_bytes = 16384;
constexpr std::uintmax_t since_bytes = 65536;
constexpr std::size_t max_socket_path = 107;  // sun_path is 108 bytes with the terminating NUL

Error lab_error(std::string message, std::string fix = {}) {
    return make_error(Side::local, std::move(message), std::move(fix));
}

//! A file from `offset` to its end.
std::string read_from(const fs::path& path, std::uintmax_t offset) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return {};
    in.seekg(static_cast<std::streamoff>(offset));
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

//! The last `bytes` of a file (all of it when smaller).
std::string read_tail(const fs::path& path, std::uintmax_t bytes) {
    const auto size = log_size(path);
    return read_from(path, size > bytes ? size - bytes : 0);
}

Result<std::pair<fs::path, bool>> make_temp_dir(const std::string& prefix) {
    std::string templ = "/tmp/" + prefix + "XXXXXX";
    if (::mkdtemp(templ.data()) == nullptr) {
        return lab_error("could not create a directory under /tmp: " +
                         std::string(std::strerror(errno)));
    }
    // Logs stay readable for whoever debugs; the data directory itself is 0700 (initdb).
    std::error_code ec;
    fs::permissions(templ,
                    fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                        fs::perms::others_read | fs::perms::others_exec,
                    ec);
    return std::pair<fs::path, bool>{templ, true};
}

//! When servers run as another user, a parent closed to it (say /root) fails initdb later with
//! a puzzling message: ask the kernel now, as that user.
Status check_reachable(const fs::path& dir) {
    auto user = drop_to();
    if (!user) return user.take_error();
    if (!user->has_value()) return {};
    auto code = run_as({"/usr/bin/test", "-w", dir.string()}, std::nullopt, *user);
    if (!code) return code.take_error();
    if (*code == 0) return {};
    return lab_error(
        "the server user cannot write to " + dir.string() + " (a parent directory is closed to it)",
        "use a directory under /tmp or /var/lib/pgflip, or open the parents (chmod o+x)");
}

}  // namespace

std::chrono::milliseconds elapsed_since(Clock::time_point start) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
}

Result<std::pair<fs::path, bool>> prepare_dir(const fs::path& dir, const std::string& prefix) {
    std::pair<fs::path, bool> made;
    if (dir.empty()) {
        auto temp = make_temp_dir(prefix);
        if (!temp) return temp.take_error();
        made = std::move(*temp);
    } else {
        std::error_code ec;
        // Absolute: the servers run with "/" as their working directory.
        made = {fs::absolute(dir, ec), false};
        if (!ec) fs::create_directories(made.first, ec);
        if (ec) return lab_error("could not create " + dir.string() + ": " + ec.message());
    }
    PGFLIP_TRY(hand_over(made.first));
    PGFLIP_TRY(check_reachable(made.first));
    return made;
}

Status hand_over(const fs::path& path) {
    auto user = drop_to();
    if (!user) return user.take_error();
    if (!user->has_value()) return {};
    const auto [uid, gid] = **user;
    if (::chown(path.c_str(), uid, gid) != 0) {
        return lab_error("could not give " + path.string() +
                         " to the server user: " + std::strerror(errno));
    }
    return {};
}

Status write_file(const fs::path& path, std::string_view text, unsigned mode) {
    {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
        if (!out.flush()) return lab_error("could not write " + path.string());
    }
    std::error_code ec;
    fs::permissions(path, static_cast<fs::perms>(mode), ec);
    if (ec) return lab_error("could not set the mode of " + path.string() + ": " + ec.message());
    return hand_over(path);
}

Status append_file(const fs::path& path, std::string_view text) {
    std::ofstream out(path, std::ios::binary | std::ios::app);
    out << text;
    if (!out.flush()) return lab_error("could not append to " + path.string());
    return {};
}

std::optional<std::string> read_file(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

std::string log_tail(const fs::path& path, int lines) {
    std::istringstream text(read_tail(path, tail_bytes));
    std::vector<std::string> kept;
    for (std::string line; std::getline(text, line);) {
        if (!line.empty()) kept.push_back(line);
    }
    if (kept.empty()) return "(" + path.filename().string() + " is empty or missing)";
    std::string out;
    const auto first = kept.size() > static_cast<std::size_t>(lines) ? kept.size() - lines : 0;
    for (auto i = first; i < kept.size(); ++i) out += (i == first ? "" : " | ") + kept[i];
    return out;
}

std::uintmax_t log_size(const fs::path& path) {
    std::error_code ec;
    const auto size = fs::file_size(path, ec);
    return ec ? 0 : size;
}

std::string log_since(const fs::path& path, std::uintmax_t offset) {
    const auto size = log_size(path);
    return read_from(path, size > offset + since_bytes ? size - since_bytes : offset);
}

bool log_says_port_in_use(const fs::path& path, std::uintmax_t offset) {
    return log_since(path, offset).find("Address already in use") != std::string::npos;
}

Status write_meta(const fs::path& path, const std::map<std::string, std::string>& values) {
    std::string text = "# pgflip lab metadata, read by attach()\n";
    for (const auto& [key, value] : values) text += key + "=" + value + "\n";
    return write_file(path, text);
}

Result<std::map<std::string, std::string>> read_meta(const fs::path& path) {
    auto text = read_file(path);
    if (!text) {
        return lab_error("no lab metadata at " + path.string(),
                         "attach() needs a directory made by Cluster::start or Bouncer::start");
    }
    std::map<std::string, std::string> values;
    std::istringstream lines(*text);
    for (std::string line; std::getline(lines, line);) {
        const auto eq = line.find('=');
        if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
        values[line.substr(0, eq)] = line.substr(eq + 1);
    }
    return values;
}

Result<int> meta_int(const std::map<std::string, std::string>& meta, const std::string& key,
                     const fs::path& path) {
    const auto it = meta.find(key);
    const int value = it == meta.end() ? 0 : std::atoi(it->second.c_str());
    if (value <= 0) return lab_error(path.string() + " has no valid \"" + key + "\"");
    return value;
}

bool socket_dir_fits(const fs::path& dir) {
    return dir.string().size() + std::strlen("/.s.PGSQL.65535") <= max_socket_path;
}

std::string conninfo_value(std::string_view value) {
    if (!value.empty() && value.find_first_of(" '\\") == std::string_view::npos) {
        return std::string(value);
    }
    std::string out = "'";
    for (const char c : value) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    return out + "'";
}

std::string loopback_conninfo(int port, const std::string& dbname, const std::string& user) {
    return "host=127.0.0.1 port=" + std::to_string(port) + " dbname=" + conninfo_value(dbname) +
           " user=" + conninfo_value(user);
}

}  // namespace pgflip::lab::detail
