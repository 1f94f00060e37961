-- Green's partitioned tables: ANALYZE of the partitions does not give their parents statistics.
SELECT n.nspname AS schema, c.relname AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1, 2;
