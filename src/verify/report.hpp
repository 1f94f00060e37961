// What verify found, and how it is shown: a readable report per part (schema, sequences, data,
// with per-table status and timing) or JSON. Only proven differences make verify exit 1; rows
// that blue kept rewriting while verify looked are listed as unsettled, never as differences.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip::verify {

// ---- schema -----------------------------------------------------------------------------------

//! One object that differs: a definition missing on one side is empty.
struct SchemaDiff {
    std::string kind;  //!< table, column, constraint, index, sequence, function, type, ...
    std::string name;
    std::string blue;
    std::string green;
};

struct SchemaResult {
    bool ran = false;
    int blue_objects = 0;
    int green_objects = 0;
    std::vector<SchemaDiff> diffs;
    std::vector<std::string> notes;  //!< e.g. view definitions compared by name only
    double seconds = 0;
};

// ---- sequences --------------------------------------------------------------------------------

enum class SequenceStatus { equal, ahead, behind, missing_on_green, missing_on_blue };

struct SequenceResult {
    std::string name;
    std::optional<std::string> blue;  //!< last_value; nullopt before the first nextval
    std::optional<std::string> green;
    SequenceStatus status = SequenceStatus::equal;
};

struct SequencesResult {
    bool ran = false;
    bool replicating = false;  //!< behind is expected until cutover copies the values
    std::vector<SequenceResult> sequences;
    double seconds = 0;
};

// ---- data -------------------------------------------------------------------------------------

enum class TableStatus {
    equal,
    differs,
    unsettled,  //!< no difference proven, but some rows kept changing on blue
    syncing,    //!< green's initial copy of this table is not finished
    missing_on_green,
    missing_on_blue,
    error
};

enum class RowDiffKind { missing_on_green, extra_on_green, changed };

//! One row that differs, named by its key (or, without a key, by its row hash).
struct RowDiff {
    RowDiffKind kind = RowDiffKind::changed;
    std::vector<std::string> key;  //!< key values as text
    std::string row_hash;          //!< tables without a key
    long long blue_copies = 0;     //!< tables without a key: copies of the row on each side
    long long green_copies = 0;
    std::vector<std::string> columns;                      //!< changed: the columns that differ
    std::vector<std::optional<std::string>> blue_values;   //!< --show-values: every column
    std::vector<std::optional<std::string>> green_values;  //!< --show-values: every column
};

struct TableResult {
    std::string name;  //!< schema.table as the server quotes it
    TableStatus status = TableStatus::equal;
    std::string method;  //!< how it was split: "12 key ranges", "one bucket", ...
    std::vector<std::string> key_columns;
    std::vector<std::string> column_names;
    long long blue_rows = 0;
    long long green_rows = 0;
    int buckets = 0;
    int mismatched_buckets = 0;
    int rounds = 0;             //!< re-check rounds run
    long long differences = 0;  //!< rows proven different (rows lists at most --max-rows)
    std::vector<RowDiff> rows;
    long long unsettled = 0;
    std::vector<std::vector<std::string>> unsettled_keys;  //!< at most --max-rows
    double seconds = 0;
    std::optional<Error> error;
    std::string note;
};

struct DataResult {
    bool ran = false;
    std::string replication;  //!< how lag was handled (Replication::describe)
    std::vector<TableResult> tables;
    double seconds = 0;
};

struct Report {
    std::string blue_version;
    std::string green_version;
    SchemaResult schema;
    SequencesResult sequences;
    DataResult data;
    double seconds = 0;
};

[[nodiscard]] std::string_view to_string(TableStatus status);
[[nodiscard]] std::string_view to_string(RowDiffKind kind);
[[nodiscard]] std::string_view to_string(SequenceStatus status);

//! True when a sequence result counts as a difference (behind only when not replicating).
[[nodiscard]] bool is_difference(const SequenceResult& seq, bool replicating);
//! Verify's verdict: any proven difference or failure anywhere.
[[nodiscard]] bool has_differences(const Report& report);

//! "(id, region)=(42, eu)": a key the way PostgreSQL prints one in error details.
[[nodiscard]] std::string format_key(const std::vector<std::string>& columns,
                                     const std::vector<std::string>& values);

struct RenderOptions {
    bool show_values = false;
    int max_rows = 20;  //!< rows listed per table
};

[[nodiscard]] std::string render_text(const Report& report, const RenderOptions& options);
[[nodiscard]] nlohmann::json to_json(const Report& report);

}  // namespace pgflip::verify
