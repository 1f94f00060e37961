-- Drops a slot ($1) when no walsender holds it; no row when it does not exist.
SELECT pg_drop_replication_slot(s.slot_name) IS NULL AS dropped
  FROM pg_replication_slots s
 WHERE s.slot_name = $1 AND NOT s.active;
