-- Green's stored columns of the tables in $1 (json array of [schema, name]) and their types,
-- to check that binary COPY meets the same types on both sides.
SELECT n.nspname AS schema, c.relname AS table_name, a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type
  FROM jsonb_array_elements($1::jsonb) AS t
  JOIN pg_namespace n ON n.nspname = t->>0
  JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = t->>1
  JOIN pg_attribute a ON a.attrelid = c.oid
 WHERE a.attnum > 0
   AND NOT a.attisdropped
   AND a.attgenerated = ''
 ORDER BY 1, 2, a.attnum;
