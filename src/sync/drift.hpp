// DDL on blue during the migration, which logical replication does not carry: a fingerprint of
// every table's definition taken at the copy snapshot, compared with blue's current one, plus
// what the event trigger logged into pgflip.ddl_log. Status and cutover report it.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pg/connection.hpp"

namespace pgflip::sync {

using Fingerprint = std::map<std::string, std::string>;  //!< qualified table -> md5

struct DdlEvent {
    std::string logged_at;
    std::string command_tag;
    std::string object_type;
    std::string object_identity;
};

struct Drift {
    std::vector<std::string> added;    //!< tables blue has now and did not have
    std::vector<std::string> dropped;  //!< tables blue had and has no more
    std::vector<std::string> changed;  //!< tables whose definition changed
    std::vector<DdlEvent> logged;      //!< pgflip.ddl_log on blue
    [[nodiscard]] bool any() const {
        return !added.empty() || !dropped.empty() || !changed.empty() || !logged.empty();
    }
};

//! Every table's fingerprint (search_path is pinned during the query and restored after).
Result<Fingerprint> read_fingerprint(pg::Connection& blue, pg::Deadline deadline);

//! The part of a table's definition the pre-data restore gives green (fingerprint.sql).
struct TableDefinition {
    std::uint32_t oid = 0;  //!< on the server it was read from
    std::string md5;
};
using Definitions = std::map<std::string, TableDefinition>;  //!< qualified table -> definition
//! Every table's definition, on either side.
Result<Definitions> read_definitions(pg::Connection& conn, pg::Deadline deadline);
//! The md5 of `table`'s definition; empty when there is no such table.
[[nodiscard]] std::string definition_of(const Definitions& definitions, const std::string& table);
//! "a, b, c, ..." (at most `max` names).
[[nodiscard]] std::string joined(const std::vector<std::string>& names, size_t max = 5);
//! What changed from `before` to `now`.
[[nodiscard]] Drift compare_fingerprints(const Fingerprint& before, const Fingerprint& now);
//! Compares blue now with the fingerprint taken at setup, and reads pgflip.ddl_log.
Result<Drift> detect_drift(pg::Connection& blue, const Fingerprint& at_setup,
                           pg::Deadline deadline);
[[nodiscard]] nlohmann::json to_json(const Drift& drift);
//! One line: "3 tables changed on blue since setup: public.a, public.b, ...".
[[nodiscard]] std::string describe(const Drift& drift);

}  // namespace pgflip::sync
