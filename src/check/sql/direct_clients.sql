-- Client sessions in this database other than pgflip's own: who, from where, which program.
-- client_port is -1 for a unix socket and NULL for sessions this role may not see (without
-- pg_read_all_stats: replication-role reports that).
SELECT a.pid,
       quote_ident(coalesce(a.usename, '')) AS role,
       coalesce(a.application_name, '') AS application_name,
       coalesce(host(a.client_addr), '') AS client_addr,
       a.client_port
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
   AND a.datname = current_database()
   AND a.pid <> pg_backend_pid()
   AND a.client_port IS NOT NULL
   AND coalesce(a.application_name, '') NOT LIKE 'pgflip%'
 ORDER BY 2, 3, 4, a.pid;
