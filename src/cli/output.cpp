#include "cli/output.hpp"

#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

namespace pgflip::cli {

nlohmann::json error_json(const Error& error) {
    nlohmann::json j = {{"side", std::string(to_string(error.side))}, {"message", error.message}};
    if (!error.sqlstate.empty()) j["sqlstate"] = error.sqlstate;
    if (error.pid != 0) j["pid"] = error.pid;
    if (!error.fix.empty()) j["fix"] = error.fix;
    return j;
}

int report_error(const Error& error, bool json, int exit_code) {
    if (json) {
        print_json({{"ok", false}, {"error", error_json(error)}});
    } else {
        std::fprintf(stderr, "pgflip: error: %s\n", error.str().c_str());
    }
    return exit_code;
}

void print_json(const nlohmann::json& doc) {
    std::string text = doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
    std::fprintf(stdout, "%s\n", text.c_str());
    std::fflush(stdout);
}

bool stdout_is_terminal() {
    return ::isatty(STDOUT_FILENO) == 1;
}

}  // namespace pgflip::cli
