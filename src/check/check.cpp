#include "check/check.hpp"

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "check/rules/rules.hpp"

namespace pgflip::check {

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::blocker:
            return "blocker";
        case Severity::warning:
            return "warning";
        case Severity::info:
            break;
    }
    return "info";
}

const std::vector<Rule>& all_rules() {
    static const std::vector<Rule> rules = rules::registry();
    return rules;
}

std::vector<Finding> run_all(Context& context, std::vector<RuleTime>* times) {
    std::vector<Finding> findings;
    for (const Rule& rule : all_rules()) {
        auto started = std::chrono::steady_clock::now();
        auto found = rule.run(context);
        if (times != nullptr) {
            auto took = std::chrono::steady_clock::now() - started;
            times->push_back(
                {rule.id, std::chrono::duration_cast<std::chrono::milliseconds>(took).count()});
        }
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

Counts count(const std::vector<Finding>& findings) {
    Counts c;
    for (const Finding& f : findings) {
        switch (f.severity) {
            case Severity::blocker:
                ++c.blockers;
                break;
            case Severity::warning:
                ++c.warnings;
                break;
            case Severity::info:
                ++c.infos;
                break;
        }
    }
    return c;
}

std::string render_table(const std::vector<Finding>& findings) {
    if (findings.empty()) return "No findings: blue, green and the poolers are ready.\n";
    std::string out;
    for (const Finding& f : findings) {
        std::string sev(to_string(f.severity));
        std::transform(sev.begin(), sev.end(), sev.begin(), ::toupper);
        out +=
            sev + "  [" + f.rule + "] " + std::string(to_string(f.side)) + ": " + f.object + "\n";
        out += indent(f.explanation, "    ") + "\n";
        if (!f.fix.empty()) out += "    fix:\n" + indent(f.fix, "      ") + "\n";
        out += "\n";
    }
    Counts c = count(findings);
    out += std::to_string(c.blockers) + " blocker(s), " + std::to_string(c.warnings) +
           " warning(s), " + std::to_string(c.infos) + " info\n";
    return out;
}

nlohmann::json counts_json(const Counts& counts) {
    return {{"blocker", counts.blockers}, {"warning", counts.warnings}, {"info", counts.infos}};
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
