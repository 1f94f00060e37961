-- A fingerprint of each user table's definition: columns, defaults, constraints, indexes,
-- partitioning. Compared later to notice DDL run on blue during the migration. `definition`
-- covers only what the pre-data restore puts on green and what prints the same on any version
-- (no indexes, no keys, no NOT NULL constraints of PG 18): run on both sides, it tells whether
-- green has a definition blue changed.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       md5(concat_ws('|', c.relkind::text, p.columns, p.constraints, p.indexes, p.partkey,
                     p.bound)) AS fingerprint,
       md5(concat_ws('|', c.relkind::text, p.columns, p.checks, p.partkey,
                     p.bound)) AS definition,
       c.oid::bigint AS oid
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 CROSS JOIN LATERAL (
       SELECT (SELECT string_agg(format('%s %s %s %s %s', a.attname,
                                        format_type(a.atttypid, a.atttypmod), a.attnotnull,
                                        a.attgenerated, pg_get_expr(d.adbin, d.adrelid)),
                                 ',' ORDER BY a.attnum)
                 FROM pg_attribute a
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped) AS columns,
              (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ',' ORDER BY k.conname)
                 FROM pg_constraint k
                WHERE k.conrelid = c.oid) AS constraints,
              (SELECT string_agg(k.conname || ' ' || pg_get_constraintdef(k.oid), ',' ORDER BY k.conname)
                 FROM pg_constraint k
                WHERE k.conrelid = c.oid AND k.contype = 'c' AND k.convalidated) AS checks,
              (SELECT string_agg(pg_get_indexdef(i.indexrelid), ',' ORDER BY i.indexrelid::regclass::text)
                 FROM pg_index i
                WHERE i.indrelid = c.oid) AS indexes,
              pg_get_partkeydef(c.oid) AS partkey,
              pg_get_expr(c.relpartbound, c.oid) AS bound) AS p
 WHERE c.relkind IN ('r', 'p')
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname NOT LIKE 'pg\_%'
 ORDER BY 1;
