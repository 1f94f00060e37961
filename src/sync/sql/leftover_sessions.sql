-- Sessions of an earlier, killed setup still working in this database (a COPY or CREATE INDEX
-- runs on until it next talks to its client): ended before resuming, so nothing races us.
SELECT pg_terminate_backend(pid) AS terminated, pid
  FROM pg_stat_activity
 WHERE datname = current_database()
   AND application_name LIKE 'pgflip setup%'
   AND pid <> pg_backend_pid();
