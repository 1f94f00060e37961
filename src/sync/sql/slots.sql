-- Replication slots of this database whose names setup uses: $1 exactly, or $1 with a
-- generation suffix (_g2, _g3, ...); with whether a process holds them.
SELECT slot_name::text AS name, active, confirmed_flush_lsn::text AS confirmed_flush
  FROM pg_replication_slots
 WHERE database = current_database()
   AND (slot_name = $1 OR slot_name ~ ('^' || $1 || '_g[0-9]+$'))
 ORDER BY 1;
