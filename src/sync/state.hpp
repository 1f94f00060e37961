// Setup's state document (setup.json in the state directory): what setup decided once and must
// keep across a crash (the copy plan, the slot and its generation, the schema fingerprint, the
// foreign keys) and which steps are finished. Which copy items are finished is not kept here:
// green commits that with each item's rows (pgflip.copy_done), and the journal logs it.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace pgflip::sync {

//! A table whose rows setup copies.
struct TablePlan {
    std::uint32_t oid = 0;   //!< on blue
    std::uint32_t root = 0;  //!< its partition root on blue (itself when not a partition)
    std::string schema;
    std::string name;
    long long heap_bytes = 0;
    long long toast_bytes = 0;
    long long blocks = 0;
    long long estimated_rows = 0;
    std::uint32_t filenode = 0;        //!< at planning; a rewrite changes it and moves rows
    std::vector<std::string> columns;  //!< copied columns: stored, not generated, in order
    bool binary = false;               //!< COPY in binary format (every column allows it)
    long long index_bytes = 0;         //!< its indexes on blue: copied first when large
};

//! One unit of copy work: a whole table or a range of its heap blocks.
struct ItemPlan {
    int id = 0;
    std::uint32_t table_oid = 0;
    long long first_block = 0;
    long long end_block = -1;  //!< exclusive; -1: to the end of the table
    bool whole = true;         //!< the whole table (no ctid condition)
    long long est_bytes = 0;   //!< work (heap + weighted TOAST bytes), for order and ETA
};

struct Plan {
    std::vector<TablePlan> tables;
    std::vector<ItemPlan> items;  //!< largest first
    long long chunk_bytes = 0;
    [[nodiscard]] const TablePlan* table(std::uint32_t oid) const;
};

//! The logical slot whose exported snapshot the copy used.
struct SlotState {
    std::string name;
    std::string consistent_point;  //!< LSN text
    int generation = 1;            //!< 1, then +1 for each snapshot taken after a crash
};

struct ForeignKey {
    std::string schema;
    std::string table;
    std::string name;
    std::string definition;  //!< pg_get_constraintdef, fully qualified
    bool validated = true;   //!< validated on blue (else it stays NOT VALID on green)
    bool partitioned = false;
};

struct QualifiedName {
    std::string schema;
    std::string name;
};

//! Steps of setup, in the order they run.
inline constexpr const char* kSteps[] = {"globals",      "blue_objects", "pre_data", "copy",
                                         "ddl_trigger",  "post_data",    "analyze",  "autovacuum",
                                         "subscription", "sequences",    "cleanup"};

struct SetupState {
    std::string name;  //!< config name: publication, slot and subscription prefix
    std::string blue_system_id;
    std::string blue_database;
    std::string green_system_id;
    std::string green_database;
    std::set<std::string> done_steps;
    std::optional<SlotState> slot;
    std::string pending_slot;  //!< a slot being created (dropped on resume if it is left over)
    std::optional<Plan> plan;
    std::map<std::string, std::string> fingerprint;  //!< qualified table -> md5 at the snapshot
    std::vector<ForeignKey> foreign_keys;
    std::vector<QualifiedName> matviews;
    //! "schema.name" -> last_value on blue when the copy began, to size the sequence margin.
    std::map<std::string, long long> sequences_at_start;
    long long sequences_at_start_ms = 0;

    [[nodiscard]] bool done(const std::string& step) const { return done_steps.count(step) > 0; }
    [[nodiscard]] bool complete() const { return done("cleanup"); }
};

[[nodiscard]] nlohmann::json to_json(const SetupState& state);
//! Reads a document written by to_json; an Error names what is wrong with it.
Result<SetupState> setup_state_from_json(const nlohmann::json& doc);

}  // namespace pgflip::sync
