-- On the publisher: has the slot $1 confirmed everything written up to now?
SELECT coalesce(confirmed_flush_lsn >= pg_current_wal_lsn(), false) AS caught_up
FROM pg_replication_slots
WHERE slot_name = $1;
