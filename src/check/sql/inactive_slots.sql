-- Replication slots with no consumer connected, and how much WAL each keeps on this server.
SELECT quote_literal(s.slot_name) AS literal,
       s.slot_name,
       s.slot_type,
       coalesce(s.database, '') AS database,
       coalesce(s.wal_status, '') AS wal_status,
       coalesce(pg_wal_lsn_diff(pg_current_wal_lsn(), s.restart_lsn), 0)::bigint AS retained_bytes
  FROM pg_replication_slots s
 WHERE NOT s.active
 ORDER BY retained_bytes DESC, s.slot_name;
