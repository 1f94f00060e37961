-- On blue, after the schema was dumped: every DDL command is logged into pgflip.ddl_log (tag
-- and object only, never the statement text, which could carry a secret) so that status and
-- cutover can report DDL that replication will not carry. It never blocks the DDL itself.
CREATE OR REPLACE FUNCTION pgflip.log_ddl() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog AS $fn$
BEGIN
    IF tg_event = 'sql_drop' THEN
        INSERT INTO pgflip.ddl_log (command_tag, object_type, object_identity)
        SELECT tg_tag, o.object_type, o.object_identity
          FROM pg_event_trigger_dropped_objects() AS o
         WHERE o.schema_name IS DISTINCT FROM 'pgflip' AND NOT o.is_temporary;
    ELSE
        INSERT INTO pgflip.ddl_log (command_tag, object_type, object_identity)
        SELECT tg_tag, c.object_type, c.object_identity
          FROM pg_event_trigger_ddl_commands() AS c
         WHERE c.schema_name IS DISTINCT FROM 'pgflip' AND NOT c.in_extension;
    END IF;
EXCEPTION WHEN OTHERS THEN
    RAISE WARNING 'pgflip could not log this DDL: %', SQLERRM;
END
$fn$;
DROP EVENT TRIGGER IF EXISTS pgflip_ddl_end;
DROP EVENT TRIGGER IF EXISTS pgflip_ddl_drop;
CREATE EVENT TRIGGER pgflip_ddl_end ON ddl_command_end EXECUTE FUNCTION pgflip.log_ddl();
CREATE EVENT TRIGGER pgflip_ddl_drop ON sql_drop EXECUTE FUNCTION pgflip.log_ddl();
