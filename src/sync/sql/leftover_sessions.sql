-- Sessions of an earlier, killed setup of this migration still working in this database (a COPY
-- or CREATE INDEX runs on until it next talks to its client): ended before resuming, so nothing
-- races us. $1 is this migration's session prefix, "pgflip setup <name>": compared as text, not
-- LIKE (names may hold "_"), and only up to the space before the role, so another migration's
-- sessions (another name, e.g. a rehearsal green) are left alone.
SELECT pg_terminate_backend(pid) AS terminated, pid
  FROM pg_stat_activity
 WHERE datname = current_database()
   AND left(application_name, length($1) + 1) = $1 || ' '
   AND pid <> pg_backend_pid();
