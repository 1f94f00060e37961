-- Materialized views: their contents are not replicated; green must refresh them.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       c.relispopulated AS populated
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1;
