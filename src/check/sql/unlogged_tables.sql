-- Unlogged tables: logical replication does not carry them.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       c.relkind = 'p' AS partitioned
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND c.relpersistence = 'u'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1;
