#include "pg/sql_template.hpp"

namespace pgflip::pg {

std::string render(std::string_view text, const std::map<std::string, std::string>& quoted_values) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        size_t close = text[i] == '{' ? text.find('}', i) : std::string_view::npos;
        if (close != std::string_view::npos) {
            auto it = quoted_values.find(std::string(text.substr(i + 1, close - i - 1)));
            if (it != quoted_values.end()) {
                out += it->second;
                i = close + 1;
                continue;
            }
        }
        out += text[i++];
    }
    return out;
}

}  // namespace pgflip::pg
