-- Sessions in this database whose transaction is older than $1 ms (running or idle in
-- transaction): PAUSE would wait for them, stretching the blackout.
SELECT a.pid,
       a.usename,
       a.state,
       (extract(epoch FROM clock_timestamp() - a.xact_start) * 1000)::bigint AS age_ms,
       left(regexp_replace(a.query, '\s+', ' ', 'g'), 80) AS query
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
   AND a.pid <> pg_backend_pid()
   AND a.datname = current_database()
   AND a.xact_start IS NOT NULL
   AND clock_timestamp() - a.xact_start > $1::bigint * interval '1 millisecond'
 ORDER BY a.xact_start
 LIMIT 10;
