-- Sequences of this database, whether a column owns them (serial, identity, OWNED BY), and the
-- columns whose default calls nextval() on them (candidates for OWNED BY).
SELECT format('%I.%I', n.nspname, c.relname) AS qualified,
       EXISTS (SELECT 1 FROM pg_depend d
                WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                  AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0
                  AND d.deptype IN ('a', 'i')) AS owned,
       (SELECT coalesce(json_agg(format('%I.%I.%I', tn.nspname, t.relname, a.attname)), '[]')
          FROM pg_depend d
          JOIN pg_attrdef ad ON d.classid = 'pg_attrdef'::regclass AND ad.oid = d.objid
          JOIN pg_class t ON t.oid = ad.adrelid
          JOIN pg_namespace tn ON tn.oid = t.relnamespace
          JOIN pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
         WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid = c.oid) AS default_of
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'S'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
   AND n.nspname !~ '^pg_(toast|temp_)'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1;
