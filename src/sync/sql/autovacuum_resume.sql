-- Switches autovacuum back on (RESET) for the tables autovacuum_pause.sql switched it off on, then
-- drops the list. Nothing to do when there is no list. Run by setup's autovacuum step, and by
-- finalize in case setup never got that far. One transaction: the pre-data restore already took
-- a lock on every one of these tables in one.
DO $pgflip$
DECLARE
    r record;
BEGIN
    IF to_regclass('pgflip.autovacuum_paused') IS NULL THEN
        RETURN;
    END IF;
    -- The application's event triggers (restored from blue) must not see these ALTER TABLEs:
    -- one that forbids DDL would fail setup, one that audits DDL would write rows blue lacks.
    IF (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        PERFORM set_config('session_replication_role', 'replica', true);
    END IF;
    FOR r IN
        EXECUTE $q$
            SELECT format('%I.%I', n.nspname, c.relname) AS name, p.heap, p.toast
            FROM pgflip.autovacuum_paused p
            JOIN pg_class c ON c.oid = p.relid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            ORDER BY p.relid
        $q$
    LOOP
        EXECUTE format('ALTER TABLE %s RESET (%s)', r.name,
                       concat_ws(', ', CASE WHEN r.heap THEN 'autovacuum_enabled' END,
                                 CASE WHEN r.toast THEN 'toast.autovacuum_enabled' END));
    END LOOP;
    DROP TABLE pgflip.autovacuum_paused;
END
$pgflip$;
