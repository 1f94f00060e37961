-- Every sequence's exact state (identity sequences and sequences owned by no column included):
-- pg_sequence_last_value() is cheap but NULL until the first nextval, so for those the
-- relation's own last_value is read (through query_to_xml) and is_called is false.
SELECT n.nspname AS schema,
       c.relname AS name,
       coalesce(v.last_value,
                (xpath('/row/last_value/text()',
                       query_to_xml(format('SELECT last_value FROM %I.%I', n.nspname, c.relname),
                                    false, true, '')))[1]::text::bigint) AS last_value,
       v.last_value IS NOT NULL AS is_called
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (SELECT pg_sequence_last_value(c.oid) AS last_value) v
 WHERE c.relkind = 'S'
   AND c.relpersistence <> 't'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname NOT LIKE 'pg\_toast%'
   AND n.nspname NOT LIKE 'pg\_temp%'
 ORDER BY 1, 2;
