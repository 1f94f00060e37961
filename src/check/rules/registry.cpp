#include "check/rules/rules.hpp"

namespace pgflip::check::rules {

std::vector<Rule> registry() {
    return {
        wal_level(),
        replication_capacity(),
        replication_role(),
        replication_conninfo(),
        pg_dump(),
        replica_identity(),
        extensions(),
        large_objects(),
        unlogged_tables(),
        materialized_views(),
        sequences(),
        generated_columns(),
        partitioned_tables(),
        roles(),
        ddl(),
        settings(),
        collation(),
        long_transactions(),
        direct_clients(),
        pooler_mode(),
        pooler_switch(),
        pooler_target(),
        pooler_login_retry(),
        pooler_query_wait(),
        slot_retention(),
    };
}

}  // namespace pgflip::check::rules
