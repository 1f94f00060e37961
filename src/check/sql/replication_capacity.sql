-- Replication capacity of one server: the limits, and how much of each is in use right now.
-- Background workers are every process that is not a client or one of the fixed server
-- processes (logical replication launcher and workers, parallel workers, extension workers).
SELECT current_setting('max_replication_slots')::int AS max_replication_slots,
       current_setting('max_wal_senders')::int AS max_wal_senders,
       current_setting('max_logical_replication_workers')::int AS max_logical_replication_workers,
       current_setting('max_worker_processes')::int AS max_worker_processes,
       current_setting('max_active_replication_origins', true)::int AS max_active_replication_origins,
       (SELECT count(*) FROM pg_replication_slots)::int AS slots_used,
       (SELECT count(*) FROM pg_replication_origin)::int AS origins_used,
       (SELECT count(*) FROM pg_stat_activity WHERE backend_type = 'walsender')::int AS wal_senders_used,
       greatest((SELECT count(*) FROM pg_stat_activity
                  WHERE backend_type LIKE 'logical replication %worker'),
                (SELECT count(*) FROM pg_subscription WHERE subenabled))::int AS logical_workers_used,
       (SELECT count(*) FROM pg_stat_activity
         WHERE backend_type NOT IN ('client backend', 'autovacuum launcher', 'autovacuum worker',
                                    'walsender', 'walwriter', 'walreceiver', 'checkpointer',
                                    'background writer', 'startup', 'archiver', 'stats collector',
                                    'wal summarizer', 'slotsync worker', 'io worker',
                                    'standalone backend'))::int AS worker_processes_used;
