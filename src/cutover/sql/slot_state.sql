-- A replication slot ($1): whether a walsender holds it, and how far its consumer lags behind
-- this server's WAL.
SELECT s.active,
       s.active_pid,
       s.slot_type,
       pg_wal_lsn_diff(pg_current_wal_lsn(), s.confirmed_flush_lsn)::bigint AS lag_bytes
  FROM pg_replication_slots s
 WHERE s.slot_name = $1;
