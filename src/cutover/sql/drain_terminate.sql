-- Drain policy "cancel": ends the transactions that keep PAUSE waiting: open transactions in
-- this database of the application roles ($1) or of the pooler's server connections ($2) (no
-- new ones start through a paused pooler). Terminated, not cancelled: idle in transaction has
-- no query to cancel, and a cancelled one would leave its transaction open.
SELECT a.pid, a.usename, pg_terminate_backend(a.pid) AS terminated
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
   AND a.pid <> pg_backend_pid()
   AND a.datname = current_database()
   AND a.xact_start IS NOT NULL
   AND (a.usename = ANY ($1::text[]) OR a.pid = ANY ($2::int[]));
