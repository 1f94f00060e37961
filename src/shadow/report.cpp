#include "shadow/report.hpp"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "shadow/statement.hpp"

namespace pgflip::shadow {

namespace {

constexpr size_t shown_sql_chars = 200;

std::string shorten(const std::string& text, size_t limit) {
    if (text.size() <= limit) return text;
    return text.substr(0, limit) + "...";
}

std::string one_line(std::string text) {
    std::replace(text.begin(), text.end(), '\n', ' ');
    return text;
}

std::string status_of(const Group& g) {
    if (g.skipped > 0 && g.runs == 0) return "skipped";
    if (g.differences == 0) return g.both_failed > 0 ? "same error" : "equal";
    for (const auto& [verdict, n] : g.verdicts) {
        if (is_difference(verdict)) return std::string(to_string(verdict));
    }
    return "differs";
}

std::string group_text(const Group& g) {
    std::string out =
        "  " + status_of(g) + ": " + shorten(one_line(g.fingerprint), shown_sql_chars) + "\n";
    if (g.runs == 0)
        return out + "      skipped " + std::to_string(g.skipped) + "x: " + g.skip_reason + "\n";
    out += "      " + std::to_string(g.runs) + " run(s): " + std::to_string(g.equal) + " equal, " +
           std::to_string(g.differences) + " different";
    if (g.both_failed > 0) out += ", " + std::to_string(g.both_failed) + " failed on both";
    out += "\n";
    if (g.has_first) {
        out += "      first difference (" + g.first_origin +
               "): " + std::string(to_string(g.first.verdict));
        if (g.first.differing_rows > 0)
            out += ", " + std::to_string(g.first.differing_rows) + " row(s)";
        out += "\n";
        if (!g.first_params.empty()) out += "        parameters: " + g.first_params + "\n";
        out += "        blue:  " + shorten(g.first.blue, 500) + "\n";
        out += "        green: " + shorten(g.first.green, 500) + "\n";
    }
    for (const auto& e : g.examples) out += "      example: " + e + "\n";
    return out;
}

nlohmann::json group_json(const Group& g) {
    nlohmann::json verdicts = nlohmann::json::object();
    for (const auto& [v, n] : g.verdicts) verdicts[std::string(to_string(v))] = n;
    nlohmann::json j = {{"status", status_of(g)},
                        {"fingerprint", g.fingerprint},
                        {"sql", g.sql},
                        {"runs", g.runs},
                        {"equal", g.equal},
                        {"differences", g.differences},
                        {"failed_on_both", g.both_failed},
                        {"skipped", g.skipped},
                        {"verdicts", verdicts},
                        {"examples", g.examples}};
    if (!g.skip_reason.empty()) j["skip_reason"] = g.skip_reason;
    if (g.has_first) {
        j["first_difference"] = {{"verdict", to_string(g.first.verdict)},
                                 {"parameters", g.first_params},
                                 {"origin", g.first_origin},
                                 {"blue", g.first.blue},
                                 {"green", g.first.green},
                                 {"differing_rows", g.first.differing_rows}};
    }
    return j;
}

}  // namespace

Group& Collector::group_of(const Execution& e) {
    const std::string fp = fingerprint(e.sql);
    Group& g = groups_[fp];
    if (g.fingerprint.empty()) {
        g.fingerprint = fp;
        g.sql = e.sql;
    }
    return g;
}

void Collector::add_example(Group& g, const Execution& e, bool differing) const {
    if (e.params.empty()) return;
    const std::string params = format_parameters(e.params);
    if (std::find(g.examples.begin(), g.examples.end(), params) != g.examples.end()) return;
    if (static_cast<int>(g.examples.size()) < max_examples_) {
        g.examples.push_back(params);
    } else if (differing && max_examples_ > 0 && !g.examples.empty()) {
        g.examples.back() = params;  // differing runs are the better examples
    }
}

void Collector::skipped(const Execution& e, const std::string& reason) {
    Group& g = group_of(e);
    ++g.skipped;
    if (g.skip_reason.empty()) g.skip_reason = reason;
}

void Collector::compared(const Execution& e, const Comparison& c) {
    Group& g = group_of(e);
    ++g.runs;
    ++g.verdicts[c.verdict];
    const bool differs = is_difference(c.verdict);
    if (c.verdict == Verdict::equal) ++g.equal;
    if (c.verdict == Verdict::both_failed) ++g.both_failed;
    if (differs) ++g.differences;
    if (differs && !g.has_first) {
        g.has_first = true;
        g.first = c;
        g.first_params = format_parameters(e.params);
        g.first_origin = e.origin;
    }
    add_example(g, e, differs);
}

std::vector<Group> Collector::groups() const {
    std::vector<Group> out;
    for (const auto& [fp, g] : groups_) out.push_back(g);
    std::stable_sort(out.begin(), out.end(), [](const Group& a, const Group& b) {
        if ((a.differences > 0) != (b.differences > 0)) return a.differences > 0;
        return a.runs + a.skipped > b.runs + b.skipped;
    });
    return out;
}

bool has_differences(const ShadowReport& report) {
    return std::any_of(report.groups.begin(), report.groups.end(),
                       [](const Group& g) { return g.differences > 0; });
}

std::string render_text(const ShadowReport& report) {
    std::string out = "blue:  PostgreSQL " + report.blue_version + "\ngreen: PostgreSQL " +
                      report.green_version + "\nsource: " + report.source + "\n";
    out += std::to_string(report.read) + " execution(s) read, " + std::to_string(report.sampled) +
           " sampled, " + std::to_string(report.replayed) + " replayed on both, " +
           std::to_string(report.skipped) + " skipped (not read-only)\n\n";
    long long differing = 0;
    for (const auto& g : report.groups) differing += g.differences > 0 ? 1 : 0;
    out += "Queries: " + std::to_string(report.groups.size()) + " fingerprint(s), " +
           std::to_string(differing) + " with differences\n";
    for (const auto& g : report.groups) out += group_text(g);
    char tail[64];
    std::snprintf(tail, sizeof tail, "%.2fs", report.seconds);
    out += has_differences(report) ? "\nResult: differences found (" + std::string(tail) + ")\n"
                                   : "\nResult: equal (" + std::string(tail) + ")\n";
    return out;
}

nlohmann::json to_json(const ShadowReport& report) {
    nlohmann::json groups = nlohmann::json::array();
    for (const auto& g : report.groups) groups.push_back(group_json(g));
    return {{"ok", !has_differences(report)},
            {"blue", {{"version", report.blue_version}}},
            {"green", {{"version", report.green_version}}},
            {"source", report.source},
            {"read", report.read},
            {"sampled", report.sampled},
            {"replayed", report.replayed},
            {"skipped", report.skipped},
            {"queries", groups},
            {"seconds", report.seconds}};
}

}  // namespace pgflip::shadow
