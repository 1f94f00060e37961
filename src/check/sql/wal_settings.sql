-- Replication capacity settings of one server.
SELECT current_setting('wal_level') AS wal_level,
       current_setting('max_replication_slots')::int AS max_replication_slots,
       current_setting('max_wal_senders')::int AS max_wal_senders,
       current_setting('max_logical_replication_workers')::int AS max_logical_replication_workers,
       current_setting('max_worker_processes')::int AS max_worker_processes,
       (SELECT count(*) FROM pg_replication_slots)::int AS slots_used;
