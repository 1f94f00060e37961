-- The tables whose autovacuum setup switched off (autovacuum_pause.sql), to switch it back on:
-- oid, qualified name, and which of the table and its TOAST table setup changed.
SELECT p.relid, format('%I.%I', n.nspname, c.relname), p.heap, p.toast
FROM pgflip.autovacuum_paused p
JOIN pg_class c ON c.oid = p.relid
JOIN pg_namespace n ON n.oid = c.relnamespace
ORDER BY p.relid;
