#include "sync/state.hpp"

#include <nlohmann/json.hpp>

namespace pgflip::sync {

const TablePlan* Plan::table(std::uint32_t oid) const {
    for (const auto& t : tables) {
        if (t.oid == oid) return &t;
    }
    return nullptr;
}

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE_WITH_DEFAULT(TablePlan, oid, root, schema, name, heap_bytes,
                                                toast_bytes, blocks, estimated_rows, filenode,
                                                columns, binary, index_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ItemPlan, id, table_oid, first_block, end_block, whole,
                                   est_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(Plan, tables, items, chunk_bytes)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(SlotState, name, consistent_point, generation)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(ForeignKey, schema, table, name, definition, validated,
                                   partitioned)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(QualifiedName, schema, name)

namespace {

constexpr int kFormat = 1;

}  // namespace

nlohmann::json to_json(const SetupState& s) {
    nlohmann::json doc = {{"format", kFormat},
                          {"name", s.name},
                          {"blue_system_id", s.blue_system_id},
                          {"blue_database", s.blue_database},
                          {"green_system_id", s.green_system_id},
                          {"green_database", s.green_database},
                          {"done_steps", s.done_steps},
                          {"pending_slot", s.pending_slot},
                          {"fingerprint", s.fingerprint},
                          {"foreign_keys", s.foreign_keys},
                          {"matviews", s.matviews},
                          {"sequences_at_start", s.sequences_at_start},
                          {"sequences_at_start_ms", s.sequences_at_start_ms}};
    doc["slot"] = s.slot ? nlohmann::json(*s.slot) : nlohmann::json();
    doc["plan"] = s.plan ? nlohmann::json(*s.plan) : nlohmann::json();
    return doc;
}

Result<SetupState> setup_state_from_json(const nlohmann::json& doc) {
    auto bad = [](const std::string& why) {
        return make_error(Side::local, "setup state (setup.json) is unreadable: " + why,
                          "inspect the state directory; start over with a new --state-dir only "
                          "after removing what setup created on blue and green");
    };
    if (!doc.is_object() || doc.value("format", 0) != kFormat) return bad("unknown format");
    try {
        SetupState s;
        doc.at("name").get_to(s.name);
        doc.at("blue_system_id").get_to(s.blue_system_id);
        doc.at("blue_database").get_to(s.blue_database);
        doc.at("green_system_id").get_to(s.green_system_id);
        doc.at("green_database").get_to(s.green_database);
        doc.at("done_steps").get_to(s.done_steps);
        doc.at("pending_slot").get_to(s.pending_slot);
        doc.at("fingerprint").get_to(s.fingerprint);
        doc.at("foreign_keys").get_to(s.foreign_keys);
        doc.at("matviews").get_to(s.matviews);
        doc.at("sequences_at_start").get_to(s.sequences_at_start);
        doc.at("sequences_at_start_ms").get_to(s.sequences_at_start_ms);
        if (!doc.at("slot").is_null()) s.slot = doc.at("slot").get<SlotState>();
        if (!doc.at("plan").is_null()) s.plan = doc.at("plan").get<Plan>();
        return s;
    } catch (const nlohmann::json::exception& e) {
        return bad(e.what());
    }
}

}  // namespace pgflip::sync
