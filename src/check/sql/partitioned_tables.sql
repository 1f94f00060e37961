-- Partitioned tables at the root of their tree, with how many partitions hang below them.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       (SELECT count(*) - 1 FROM pg_partition_tree(c.oid::regclass)) AS partitions
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'p'
   AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname !~ '^pg_temp_'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1;
