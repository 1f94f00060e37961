-- On green only, in the transaction that restores the pre-data schema: autovacuum is switched off
-- on every table (and its TOAST table) that does not set autovacuum_enabled itself, and each one
-- is listed so that setup switches it back on (RESET) once the copy, the indexes and ANALYZE are
-- done. Otherwise autovacuum reaches tables as soon as their rows are in, and every index build or
-- ANALYZE that finds it there waits deadlock_timeout before the worker is cancelled, table after
-- table (docs/SETUP.md, "autovacuum during the copy").
CREATE TABLE IF NOT EXISTS pgflip.autovacuum_paused (
    relid oid PRIMARY KEY,
    heap boolean NOT NULL,
    toast boolean NOT NULL
);
DO $pgflip$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT c.oid,
               format('%I.%I', n.nspname, c.relname) AS name,
               NOT EXISTS (SELECT FROM unnest(c.reloptions) o
                           WHERE o LIKE 'autovacuum\_enabled=%') AS heap,
               c.reltoastrelid <> 0
                   AND NOT EXISTS (SELECT FROM unnest(t.reloptions) o
                                   WHERE o LIKE 'autovacuum\_enabled=%') AS toast
        FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_class t ON t.oid = c.reltoastrelid
        WHERE c.relkind = 'r' AND c.relpersistence = 'p'
          AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
          AND n.nspname NOT LIKE 'pg\_toast%'
          AND NOT EXISTS (SELECT FROM pgflip.autovacuum_paused p WHERE p.relid = c.oid)
          AND NOT EXISTS (SELECT FROM pg_depend d  -- an extension's tables are its business
                          WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                            AND d.deptype = 'e')
    LOOP
        CONTINUE WHEN NOT (r.heap OR r.toast);
        EXECUTE format('ALTER TABLE %s SET (%s)', r.name,
                       concat_ws(', ', CASE WHEN r.heap THEN 'autovacuum_enabled = false' END,
                                 CASE WHEN r.toast THEN 'toast.autovacuum_enabled = false' END));
        INSERT INTO pgflip.autovacuum_paused VALUES (r.oid, r.heap, r.toast);
    END LOOP;
END
$pgflip$;
