#include "sync/console.hpp"

#include <cmath>
#include <ctime>
#include <nlohmann/json.hpp>

namespace pgflip::sync {

namespace {

std::string clock_now() {
    std::time_t now = std::time(nullptr);
    std::tm tm{};
    localtime_r(&now, &tm);
    char buf[16];
    std::strftime(buf, sizeof buf, "%H:%M:%S", &tm);
    return buf;
}

}  // namespace

Console::Console(bool tty, bool json) : out_(json ? stderr : stdout), tty_(tty && !json) {}

void Console::log(const std::string& line) {
    std::lock_guard lock(mutex_);
    if (bar_shown_) std::fputs("\r\033[K", out_);
    std::fprintf(out_, "%s %s\n", clock_now().c_str(), line.c_str());
    bar_shown_ = false;
    std::fflush(out_);
}

void Console::bar(const std::string& text) {
    if (!tty_) return;
    std::lock_guard lock(mutex_);
    std::fprintf(out_, "\r\033[K%s", text.c_str());
    bar_shown_ = true;
    std::fflush(out_);
}

void Console::clear_bar() {
    std::lock_guard lock(mutex_);
    if (!bar_shown_) return;
    std::fputs("\r\033[K", out_);
    bar_shown_ = false;
    std::fflush(out_);
}

Status Journal::record(const std::string& event, const nlohmann::json& fields) {
    std::lock_guard lock(mutex_);
    return dir_.record(event, fields);
}

std::string human_bytes(double bytes) {
    static const char* kUnits[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    int unit = 0;
    while (std::fabs(bytes) >= 1024 && unit < 4) {
        bytes /= 1024;
        ++unit;
    }
    char buf[32];
    std::snprintf(buf, sizeof buf, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
    return buf;
}

std::string human_count(double count) {
    char buf[32];
    if (count >= 1e9) {
        std::snprintf(buf, sizeof buf, "%.1fG", count / 1e9);
    } else if (count >= 1e6) {
        std::snprintf(buf, sizeof buf, "%.1fM", count / 1e6);
    } else if (count >= 1e4) {
        std::snprintf(buf, sizeof buf, "%.1fk", count / 1e3);
    } else {
        std::snprintf(buf, sizeof buf, "%.0f", count);
    }
    return buf;
}

std::string human_duration(double seconds) {
    long long s = seconds < 0 ? 0 : std::llround(seconds);
    char buf[32];
    if (s >= 3600) {
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    } else {
        std::snprintf(buf, sizeof buf, "%lld:%02lld", s / 60, s % 60);
    }
    return buf;
}

}  // namespace pgflip::sync
