-- A fingerprint of each user table's definition on blue: columns, defaults, constraints,
-- indexes, partitioning. Compared later to notice DDL run on blue during the migration.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       md5(concat_ws('|',
           c.relkind::text,
           (SELECT string_agg(format('%s %s %s %s %s', a.attname,
                                     format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                     a.attgenerated, pg_get_expr(d.adbin, d.adrelid)),
                              ',' ORDER BY a.attnum)
              FROM pg_attribute a
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped),
           (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ',' ORDER BY k.conname)
              FROM pg_constraint k
             WHERE k.conrelid = c.oid),
           (SELECT string_agg(pg_get_indexdef(i.indexrelid), ',' ORDER BY i.indexrelid::regclass::text)
              FROM pg_index i
             WHERE i.indrelid = c.oid),
           pg_get_partkeydef(c.oid),
           pg_get_expr(c.relpartbound, c.oid))) AS fingerprint
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p')
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 1;
