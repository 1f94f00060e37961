-- Green's side of the stream: subscription $1, its apply worker, what it received and applied,
-- and how many of its tables are not ready.
SELECT s.subenabled AS enabled,
       s.subslotname::text AS slot,
       w.pid AS worker_pid,
       w.received_lsn::text AS received_lsn,
       w.latest_end_lsn::text AS latest_end_lsn,
       w.last_msg_receipt_time::text AS last_msg_receipt_time,
       extract(epoch FROM clock_timestamp() - w.last_msg_receipt_time)::float8 AS silence_s,
       (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid) AS tables,
       (SELECT count(*) FROM pg_subscription_rel r WHERE r.srsubid = s.oid AND r.srsubstate = 'r')
           AS tables_ready
  FROM pg_subscription s
  LEFT JOIN pg_stat_subscription w ON w.subid = s.oid AND w.relid IS NULL
 WHERE s.subname = $1
   AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database());
