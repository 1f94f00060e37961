-- Ends the walsender holding a slot ($1), so the slot can be dropped.
SELECT pg_terminate_backend(s.active_pid) AS terminated
  FROM pg_replication_slots s
 WHERE s.slot_name = $1 AND s.active_pid IS NOT NULL;
