-- Blue's side: slot $1, the WAL it keeps, how far its consumer confirmed, and the limit.
-- wal_status, safe_wal_size and max_slot_wal_keep_size came in PostgreSQL 13: read through
-- to_jsonb and current_setting(..., true) they are NULL on an older blue, not an error.
SELECT s.active,
       s.active_pid,
       s.confirmed_flush_lsn::text AS confirmed_flush,
       pg_current_wal_lsn()::text AS current_lsn,
       pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn)::bigint AS retained_bytes,
       pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS lag_bytes,
       to_jsonb(s) ->> 'wal_status' AS wal_status,
       (to_jsonb(s) ->> 'safe_wal_size')::bigint AS safe_wal_size,
       current_setting('max_slot_wal_keep_size', true) AS max_slot_wal_keep_size
  FROM pg_replication_slots s
 WHERE s.slot_name = $1;
