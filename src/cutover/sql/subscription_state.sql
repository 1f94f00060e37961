-- A subscription ($1) in this database: enabled, its slot, its tables and their sync state,
-- whether pgflip.sentinel is one of them, and the pid of its apply worker when running.
SELECT s.subenabled AS enabled,
       s.subslotname AS slot,
       (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid) AS tables,
       (SELECT count(*)
          FROM pg_subscription_rel r
         WHERE r.srsubid = s.oid AND r.srsubstate <> 'r') AS not_ready,
       EXISTS (SELECT 1
                 FROM pg_subscription_rel r
                WHERE r.srsubid = s.oid
                  AND r.srrelid = to_regclass('pgflip.sentinel')) AS has_sentinel,
       (SELECT max(w.pid)
          FROM pg_stat_subscription w
         WHERE w.subid = s.oid AND w.relid IS NULL) AS worker_pid
  FROM pg_subscription s
 WHERE s.subname = $1
   AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database());
