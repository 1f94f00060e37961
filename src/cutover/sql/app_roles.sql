-- The roles fenced when the configuration names none: every role that can log in and is not a
-- superuser, not a replication role, and not the role pgflip itself connects as.
SELECT r.rolname
  FROM pg_roles r
 WHERE r.rolcanlogin
   AND NOT r.rolsuper
   AND NOT r.rolreplication
   AND r.rolname <> current_user
 ORDER BY r.rolname;
