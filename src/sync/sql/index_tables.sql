-- The table that each index and key constraint (primary key, unique, exclusion) of pg_dump's
-- post-data section belongs to, on blue: those setup can build as soon as the table's rows are
-- on green. $1: a json array of {"cat": catalog oid, "obj": object oid} from the TOC. Other
-- entries (foreign keys, triggers, rules, attachments, ...) give no row.
SELECT e.cat::bigint AS catalog_oid,
       e.obj::bigint AS object_oid,
       coalesce(i.indrelid, c.conrelid)::bigint AS table_oid
  FROM jsonb_to_recordset($1::jsonb) AS e(cat oid, obj oid)
  LEFT JOIN pg_index i
         ON e.cat = 'pg_class'::regclass
        AND i.indexrelid = e.obj
  LEFT JOIN pg_constraint c
         ON e.cat = 'pg_constraint'::regclass
        AND c.oid = e.obj
        AND c.contype IN ('p', 'u', 'x')
 WHERE coalesce(i.indrelid, c.conrelid) IS NOT NULL;
