-- Client sessions on this server (every database) holding a transaction open: idle in
-- transaction for at least $1 ms, or in a transaction for at least $2 ms. pgflip's own sessions
-- are left out. The query text is not read: it may hold secrets.
SELECT a.pid,
       coalesce(a.usename, '') AS usename,
       coalesce(a.datname, '') AS datname,
       coalesce(a.application_name, '') AS application_name,
       coalesce(host(a.client_addr), 'local socket') AS client,
       a.state,
       (extract(epoch FROM now() - a.xact_start) * 1000)::bigint AS xact_ms,
       (extract(epoch FROM now() - a.state_change) * 1000)::bigint AS state_ms
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
   AND a.pid <> pg_backend_pid()
   AND a.xact_start IS NOT NULL
   AND coalesce(a.application_name, '') NOT LIKE 'pgflip%'
   AND ((a.state LIKE 'idle in transaction%' AND now() - a.state_change >= $1 * interval '1 ms')
        OR now() - a.xact_start >= $2 * interval '1 ms')
 ORDER BY a.xact_start;
