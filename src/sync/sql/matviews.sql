-- Materialized views holding data on blue: schema-only dumps create them empty on green.
SELECT n.nspname AS schema, c.relname AS name
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'm'
   AND c.relispopulated
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1, 2;
