#include "common/result.hpp"

namespace pgflip {

std::string_view to_string(Side side) {
    switch (side) {
        case Side::blue:
            return "blue";
        case Side::green:
            return "green";
        case Side::pooler:
            return "pooler";
        case Side::local:
            return "local";
        case Side::none:
            break;
    }
    return "pgflip";
}

std::string Error::str() const {
    std::string out(to_string(side));
    if (pid != 0 || !sqlstate.empty()) {
        out += " (";
        if (pid != 0) out += "pid " + std::to_string(pid);
        if (pid != 0 && !sqlstate.empty()) out += ", ";
        if (!sqlstate.empty()) out += "SQLSTATE " + sqlstate;
        out += ")";
    }
    out += ": " + message;
    if (!fix.empty()) out += " — fix: " + fix;
    return out;
}

bool Error::is_connection_error() const {
    return sqlstate.empty() ? pid == 0 : sqlstate.rfind("08", 0) == 0;
}

Error make_error(Side side, std::string message, std::string fix) {
    Error e;
    e.side = side;
    e.message = std::move(message);
    e.fix = std::move(fix);
    return e;
}

}  // namespace pgflip
