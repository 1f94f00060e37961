#include "verify/report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

namespace pgflip::verify {

std::string_view to_string(TableStatus status) {
    switch (status) {
        case TableStatus::equal:
            return "equal";
        case TableStatus::differs:
            return "differs";
        case TableStatus::unsettled:
            return "unsettled";
        case TableStatus::syncing:
            return "syncing";
        case TableStatus::missing_on_green:
            return "missing on green";
        case TableStatus::missing_on_blue:
            return "missing on blue";
        case TableStatus::error:
            break;
    }
    return "error";
}

std::string_view to_string(RowDiffKind kind) {
    switch (kind) {
        case RowDiffKind::missing_on_green:
            return "missing on green";
        case RowDiffKind::extra_on_green:
            return "extra on green";
        case RowDiffKind::changed:
            break;
    }
    return "changed";
}

std::string_view to_string(SequenceStatus status) {
    switch (status) {
        case SequenceStatus::equal:
            return "equal";
        case SequenceStatus::ahead:
            return "ahead on green";
        case SequenceStatus::behind:
            return "behind on green";
        case SequenceStatus::missing_on_green:
            return "missing on green";
        case SequenceStatus::missing_on_blue:
            break;
    }
    return "missing on blue";
}

bool is_difference(const SequenceResult& seq, bool replicating) {
    switch (seq.status) {
        case SequenceStatus::equal:
        case SequenceStatus::ahead:
            return false;
        case SequenceStatus::behind:
            return !replicating;
        default:
            return true;
    }
}

namespace {

bool table_differs(const TableResult& t) {
    return t.status == TableStatus::differs || t.status == TableStatus::error ||
           t.status == TableStatus::missing_on_green || t.status == TableStatus::missing_on_blue;
}

std::string value_text(const std::optional<std::string>& v) {
    return v ? *v : "NULL";
}

std::string seconds_text(double s) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2fs", s);
    return buf;
}

std::string pad(std::string s, size_t width) {
    if (s.size() < width) s.append(width - s.size(), ' ');
    return s;
}

std::string lpad(const std::string& s, size_t width) {
    return s.size() < width ? std::string(width - s.size(), ' ') + s : s;
}

// ---- text -------------------------------------------------------------------------------------

std::string schema_text(const SchemaResult& s) {
    if (!s.ran) return {};
    std::string out;
    if (s.diffs.empty()) {
        out = "Schema: equal (" + std::to_string(s.blue_objects) + " objects)\n";
    } else {
        out = "Schema: " + std::to_string(s.diffs.size()) + " difference(s)\n";
    }
    for (const auto& d : s.diffs) {
        const char* what = d.green.empty()  ? "missing on green"
                           : d.blue.empty() ? "extra on green"
                                            : "differs";
        out += "  " + pad(what, 18) + pad(d.kind, 12) + " " + d.name + "\n";
        if (!d.blue.empty()) out += "      blue:  " + d.blue + "\n";
        if (!d.green.empty()) out += "      green: " + d.green + "\n";
    }
    for (const auto& n : s.notes) out += "  note: " + n + "\n";
    return out + "\n";
}

std::string sequences_text(const SequencesResult& s) {
    if (!s.ran) return {};
    std::map<SequenceStatus, int> counts;
    std::string lines;
    for (const auto& q : s.sequences) {
        ++counts[q.status];
        if (q.status == SequenceStatus::equal || q.status == SequenceStatus::ahead) continue;
        lines += "  " + pad(std::string(to_string(q.status)), 18) + q.name + "  blue " +
                 value_text(q.blue) + ", green " + value_text(q.green) + "\n";
    }
    std::string out = "Sequences: " + std::to_string(s.sequences.size()) + " compared";
    for (const auto& [status, n] : counts) {
        out += ", " + std::to_string(n) + " " + std::string(to_string(status));
    }
    if (counts.count(SequenceStatus::behind) > 0 && s.replicating) {
        out += " (expected while green replicates: cutover copies the values)";
    }
    return out + "\n" + lines + "\n";
}

long long unsettled_rows(const DataResult& d) {
    long long n = 0;
    for (const auto& t : d.tables) n += t.unsettled;
    return n;
}

std::string values_text(const TableResult& t, const RowDiff& d) {
    std::string out;
    for (size_t i = 0; i < t.column_names.size(); ++i) {
        const bool has_b = i < d.blue_values.size();
        const bool has_g = i < d.green_values.size();
        if (d.kind == RowDiffKind::changed &&
            std::find(d.columns.begin(), d.columns.end(), t.column_names[i]) == d.columns.end()) {
            continue;
        }
        out += "          " + t.column_names[i] + ":";
        if (has_b && d.kind != RowDiffKind::extra_on_green) {
            out += " blue " + value_text(d.blue_values[i]);
        }
        if (has_g && d.kind != RowDiffKind::missing_on_green) {
            out += " green " + value_text(d.green_values[i]);
        }
        out += "\n";
    }
    return out;
}

std::string row_text(const TableResult& t, const RowDiff& d, const RenderOptions& options) {
    std::string out = "      " + pad(std::string(to_string(d.kind)), 18);
    if (d.row_hash.empty()) {
        out += format_key(t.key_columns, d.key);
    } else {
        out += "row hash " + d.row_hash + " (" + std::to_string(d.blue_copies) + " on blue, " +
               std::to_string(d.green_copies) + " on green)";
    }
    if (!d.columns.empty()) {
        std::string cols;
        for (const auto& c : d.columns) cols += (cols.empty() ? "" : ", ") + c;
        out += "  columns: " + cols;
    }
    out += "\n";
    if (options.show_values) out += values_text(t, d);
    return out;
}

std::string table_detail(const TableResult& t, const RenderOptions& options) {
    std::string out;
    for (const auto& d : t.rows) out += row_text(t, d, options);
    const long long listed = static_cast<long long>(t.rows.size());
    if (t.differences > listed) {
        out += "      ... and " + std::to_string(t.differences - listed) + " more\n";
    }
    for (const auto& key : t.unsettled_keys) {
        out += "      " + pad("unsettled", 18) + format_key(t.key_columns, key) + "\n";
    }
    if (t.error) out += "      error: " + t.error->str() + "\n";
    if (!t.note.empty()) out += "      note: " + t.note + "\n";
    return out;
}

std::string data_text(const DataResult& d, const RenderOptions& options) {
    if (!d.ran) return {};
    int differ = 0;
    for (const auto& t : d.tables) differ += table_differs(t) ? 1 : 0;
    std::string out = "Data: " + std::to_string(d.tables.size()) + " table(s), " +
                      std::to_string(differ) + " with differences, " + seconds_text(d.seconds) +
                      "\n  " + d.replication + "\n";
    size_t width = 5;
    for (const auto& t : d.tables) width = std::max(width, t.name.size());
    out += "  " + pad("table", width) + "   rows blue  rows green  status            time\n";
    for (const auto& t : d.tables) {
        out += "  " + pad(t.name, width) + lpad(std::to_string(t.blue_rows), 12) +
               lpad(std::to_string(t.green_rows), 12) + "  " +
               pad(std::string(to_string(t.status)), 16) + lpad(seconds_text(t.seconds), 7) +
               (t.method.empty() ? "" : "  " + t.method) + "\n";
        out += table_detail(t, options);
    }
    return out + "\n";
}

// ---- json -------------------------------------------------------------------------------------

nlohmann::json values_json(const std::vector<std::optional<std::string>>& values) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& v : values) out.push_back(v ? nlohmann::json(*v) : nlohmann::json());
    return out;
}

nlohmann::json row_json(const RowDiff& d) {
    nlohmann::json j = {{"kind", to_string(d.kind)}};
    if (d.row_hash.empty()) {
        j["key"] = d.key;
    } else {
        j["row_hash"] = d.row_hash;
        j["blue_copies"] = d.blue_copies;
        j["green_copies"] = d.green_copies;
    }
    if (!d.columns.empty()) j["columns"] = d.columns;
    if (!d.blue_values.empty()) j["blue_values"] = values_json(d.blue_values);
    if (!d.green_values.empty()) j["green_values"] = values_json(d.green_values);
    return j;
}

nlohmann::json table_json(const TableResult& t) {
    nlohmann::json j = {{"table", t.name},
                        {"status", to_string(t.status)},
                        {"method", t.method},
                        {"key", t.key_columns},
                        {"columns", t.column_names},
                        {"blue_rows", t.blue_rows},
                        {"green_rows", t.green_rows},
                        {"buckets", t.buckets},
                        {"mismatched_buckets", t.mismatched_buckets},
                        {"rounds", t.rounds},
                        {"differences", t.differences},
                        {"unsettled", t.unsettled},
                        {"unsettled_keys", t.unsettled_keys},
                        {"seconds", t.seconds}};
    j["rows"] = nlohmann::json::array();
    for (const auto& d : t.rows) j["rows"].push_back(row_json(d));
    if (t.error) j["error"] = {{"side", to_string(t.error->side)}, {"message", t.error->str()}};
    if (!t.note.empty()) j["note"] = t.note;
    return j;
}

nlohmann::json schema_json(const SchemaResult& s) {
    nlohmann::json diffs = nlohmann::json::array();
    for (const auto& d : s.diffs) {
        diffs.push_back({{"kind", d.kind}, {"name", d.name}, {"blue", d.blue}, {"green", d.green}});
    }
    return {{"equal", s.diffs.empty()},
            {"blue_objects", s.blue_objects},
            {"green_objects", s.green_objects},
            {"differences", diffs},
            {"notes", s.notes},
            {"seconds", s.seconds}};
}

nlohmann::json sequences_json(const SequencesResult& s) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& q : s.sequences) {
        list.push_back({{"name", q.name},
                        {"blue", q.blue ? nlohmann::json(*q.blue) : nlohmann::json()},
                        {"green", q.green ? nlohmann::json(*q.green) : nlohmann::json()},
                        {"status", to_string(q.status)},
                        {"difference", is_difference(q, s.replicating)}});
    }
    return {{"replicating", s.replicating}, {"sequences", list}, {"seconds", s.seconds}};
}

}  // namespace

bool has_differences(const Report& report) {
    if (!report.schema.diffs.empty()) return true;
    for (const auto& q : report.sequences.sequences) {
        if (is_difference(q, report.sequences.replicating)) return true;
    }
    return std::any_of(report.data.tables.begin(), report.data.tables.end(), table_differs);
}

std::string format_key(const std::vector<std::string>& columns,
                       const std::vector<std::string>& values) {
    std::string names;
    std::string vals;
    for (size_t i = 0; i < values.size(); ++i) {
        names += (i > 0 ? ", " : "") + (i < columns.size() ? columns[i] : "?");
        vals += (i > 0 ? ", " : "") + values[i];
    }
    return "(" + names + ")=(" + vals + ")";
}

std::string render_text(const Report& report, const RenderOptions& options) {
    std::string out = "blue:  PostgreSQL " + report.blue_version + "\ngreen: PostgreSQL " +
                      report.green_version + "\n\n";
    out += schema_text(report.schema) + sequences_text(report.sequences) +
           data_text(report.data, options);
    const long long unsettled = unsettled_rows(report.data);
    if (has_differences(report)) {
        out += "Result: differences found (" + seconds_text(report.seconds) + ")\n";
    } else if (unsettled > 0) {
        out += "Result: no difference proven (" + seconds_text(report.seconds) + "), but " +
               std::to_string(unsettled) +
               " row(s) unsettled: blue rewrote them in every re-check; verify again when "
               "writes are quieter, or with more --rounds\n";
    } else {
        out += "Result: equal (" + seconds_text(report.seconds) + ")\n";
    }
    return out;
}

nlohmann::json to_json(const Report& report) {
    nlohmann::json j = {{"ok", !has_differences(report)},
                        {"blue", {{"version", report.blue_version}}},
                        {"green", {{"version", report.green_version}}},
                        {"seconds", report.seconds}};
    if (report.schema.ran) j["schema"] = schema_json(report.schema);
    if (report.sequences.ran) j["sequences"] = sequences_json(report.sequences);
    if (report.data.ran) {
        nlohmann::json tables = nlohmann::json::array();
        for (const auto& t : report.data.tables) tables.push_back(table_json(t));
        j["data"] = {{"replication", report.data.replication},
                     {"tables", tables},
                     {"seconds", report.data.seconds}};
    }
    return j;
}

}  // namespace pgflip::verify
