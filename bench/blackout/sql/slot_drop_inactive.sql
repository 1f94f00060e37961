-- Drops the slot $1 once nobody streams from it: what a subscription dropped with
-- slot_name = NONE leaves on its publisher (it would retain WAL for ever). One row while the
-- slot still exists (a walsender still holds it, or it was dropped just now).
SELECT slot_name, active, CASE WHEN NOT active THEN pg_drop_replication_slot(slot_name) END
FROM pg_replication_slots
WHERE slot_name = $1;
