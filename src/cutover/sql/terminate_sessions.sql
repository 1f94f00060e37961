-- Ends every remaining client session of the fenced roles ({roles}, a text[] literal) in this
-- database; the caller then polls sessions_alive.sql until they are gone, so that no commit of
-- theirs can land after the sentinel. (pg_terminate_backend's own wait sleeps 100 ms steps.)
-- Replication and pgflip's own sessions are spared. The call sits in the select list: in WHERE
-- the planner may push it below the filters on the view and end every session there is.
SELECT a.pid, pg_terminate_backend(a.pid) AS ended
  FROM pg_stat_activity a
 WHERE a.backend_type = 'client backend'
   AND a.pid <> pg_backend_pid()
   AND a.datname = current_database()
   AND a.usename = ANY ({roles}::text[]);
