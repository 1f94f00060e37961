-- Every replication slot here and the WAL it keeps from being recycled.
SELECT s.slot_name,
       s.slot_type,
       coalesce(s.database, '') AS database,
       s.active,
       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint AS retained_bytes
  FROM pg_replication_slots s
 ORDER BY s.slot_name;
