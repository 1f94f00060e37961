-- Every user table's columns and types, to compare the two sides before a flip.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       string_agg(format('%I %s', a.attname, format_type(a.atttypid, a.atttypmod)), ', '
                  ORDER BY a.attname) AS columns
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_toast%'
 GROUP BY 1
 ORDER BY 1;
