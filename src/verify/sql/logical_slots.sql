-- Logical slots of blue's current database: a subscription on green using one of them replicates
-- from blue.
SELECT slot_name::text, active
FROM pg_replication_slots
WHERE slot_type = 'logical' AND database = current_database();
