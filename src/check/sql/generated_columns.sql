-- Tables with generated columns (attgenerated 's' stored, 'v' virtual from PostgreSQL 18).
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       json_agg(quote_ident(a.attname) ORDER BY a.attnum) AS columns
  FROM pg_attribute a
  JOIN pg_class c ON c.oid = a.attrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE a.attgenerated <> ''
   AND NOT a.attisdropped
   AND c.relkind IN ('r', 'p')
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 GROUP BY n.nspname, c.relname
 ORDER BY 1;
