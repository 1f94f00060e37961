#include "check/check.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "check/rules/rules.hpp"

namespace pgflip::check {

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::blocker: return "blocker";
        case Severity::warning: return "warning";
        case Severity::info: break;
    }
    return "info";
}

const std::vector<Rule>& all_rules() {
    static const std::vector<Rule> rules = rules::registry();
    return rules;
}

std::vector<Finding> run_all(Context& context) {
    std::vector<Finding> findings;
    for (const Rule& rule : all_rules()) {
        auto found = rule.run(context);
        if (found.ok()) {
            for (auto& f : *found) {
                if (f.rule.empty()) f.rule = rule.id;
                findings.push_back(std::move(f));
            }
            continue;
        }
        const Error& e = found.error();
        findings.push_back({rule.id, Severity::blocker, e.side, rule.title,
                            "this check could not run: " + e.str(),
                            e.fix.empty() ? "fix the error above and run check again" : e.fix});
    }
    std::stable_sort(findings.begin(), findings.end(), [](const Finding& a, const Finding& b) {
        return static_cast<int>(a.severity) < static_cast<int>(b.severity);
    });
    return findings;
}

bool has_blocker(const std::vector<Finding>& findings) {
    return std::any_of(findings.begin(), findings.end(),
                       [](const Finding& f) { return f.severity == Severity::blocker; });
}

namespace {

//! Indents every line of a multi-line text (fixes are often several SQL statements).
std::string indent(const std::string& text, const std::string& pad) {
    std::string out = pad;
    for (char c : text) {
        out += c;
        if (c == '\n') out += pad;
    }
    return out;
}

}  // namespace

std::string render_table(const std::vector<Finding>& findings) {
    if (findings.empty()) return "No findings: blue, green and the poolers are ready.\n";
    std::string out;
    size_t counts[3] = {0, 0, 0};
    for (const Finding& f : findings) {
        ++counts[static_cast<int>(f.severity)];
        std::string sev(to_string(f.severity));
        std::transform(sev.begin(), sev.end(), sev.begin(), ::toupper);
        out += sev + "  [" + f.rule + "] " + std::string(to_string(f.side)) + ": " + f.object +
               "\n";
        out += indent(f.explanation, "    ") + "\n";
        if (!f.fix.empty()) out += "    fix:\n" + indent(f.fix, "      ") + "\n";
        out += "\n";
    }
    out += std::to_string(counts[0]) + " blocker(s), " + std::to_string(counts[1]) +
           " warning(s), " + std::to_string(counts[2]) + " info\n";
    return out;
}

nlohmann::json to_json(const std::vector<Finding>& findings) {
    nlohmann::json arr = nlohmann::json::array();
    for (const Finding& f : findings) {
        arr.push_back({{"rule", f.rule},
                       {"severity", std::string(to_string(f.severity))},
                       {"side", std::string(to_string(f.side))},
                       {"object", f.object},
                       {"explanation", f.explanation},
                       {"fix", f.fix}});
    }
    return arr;
}

}  // namespace pgflip::check
