-- DDL logged on blue since setup installed the event trigger.
SELECT logged_at::text AS logged_at, command_tag, object_type, object_identity
  FROM pgflip.ddl_log
 ORDER BY id;
