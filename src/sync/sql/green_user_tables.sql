-- Tables green already has outside pgflip's schema: setup restores the schema itself.
SELECT count(*) AS tables
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname NOT LIKE 'pg\_%';
