-- Foreign keys as pg_dump would restore them (constraints of partitions come with their
-- parent's), with definitions fully qualified: run with search_path = pg_catalog.
SELECT n.nspname AS schema,
       c.relname AS table_name,
       c.relkind = 'p' AS partitioned,
       k.conname AS name,
       pg_get_constraintdef(k.oid) AS definition,
       k.convalidated AS validated
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE k.contype = 'f'
   AND k.conparentid = 0
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 1, 2, 4;
