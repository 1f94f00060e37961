-- The tables verify compares, one row per column in attnum order: names as written and as quoted
-- by the server, the type as SQL, what the row hash needs to know about the type (its base type
-- after domains, array element, collatable), and the column's position in the table's key: the
-- primary key, else the replica identity index, else the narrowest unique index on NOT NULL
-- columns without expressions or predicate.
WITH tables AS (
    SELECT c.oid, n.nspname, c.relname, c.reltuples, pg_relation_size(c.oid) AS bytes
    FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind = 'r'
      AND c.relpersistence = 'p'
      AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
      AND n.nspname !~ '^pg_(toast|temp_|toast_temp_)'
),
keys AS (
    SELECT DISTINCT ON (i.indrelid) i.indrelid,
           (i.indkey::int2[])[0:i.indnkeyatts - 1] AS attnums
    FROM pg_index i
    JOIN tables t ON t.oid = i.indrelid
    WHERE i.indisunique AND i.indisvalid AND i.indpred IS NULL AND i.indexprs IS NULL
      AND NOT EXISTS (SELECT 1
                      FROM unnest((i.indkey::int2[])[0:i.indnkeyatts - 1]) AS k(attnum)
                      JOIN pg_attribute ka ON ka.attrelid = i.indrelid AND ka.attnum = k.attnum
                      WHERE NOT ka.attnotnull)
    ORDER BY i.indrelid, i.indisprimary DESC, i.indisreplident DESC, i.indnkeyatts, i.indexrelid
)
SELECT t.nspname AS schema_name,
       t.relname AS table_name,
       format('%I.%I', t.nspname, t.relname) AS qualified,
       t.bytes,
       greatest(t.reltuples, -1)::bigint AS reltuples,
       a.attname AS column_name,
       quote_ident(a.attname) AS quoted,
       format_type(a.atttypid, a.atttypmod) AS type_sql,
       bn.nspname AS base_schema,
       bt.typname AS base_type,
       format_type(bt.oid, CASE WHEN ty.typtype = 'd' THEN ty.typtypmod ELSE a.atttypmod END)
           AS base_type_sql,
       bt.typtype::text AS base_typtype,
       ty.typtype = 'd' AS is_domain,
       coalesce(en.nspname, '') AS elem_schema,
       coalesce(et.typname, '') AS elem_type,
       coalesce(et.typtype::text, '') AS elem_typtype,
       bt.typcollation <> 0 AS collatable,
       coalesce(array_position(k.attnums, a.attnum), 0) AS key_position
FROM tables t
JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_type ty ON ty.oid = a.atttypid
JOIN pg_type bt ON bt.oid = CASE WHEN ty.typtype = 'd' THEN ty.typbasetype ELSE ty.oid END
JOIN pg_namespace bn ON bn.oid = bt.typnamespace
LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
LEFT JOIN pg_namespace en ON en.oid = et.typnamespace
LEFT JOIN keys k ON k.indrelid = t.oid
ORDER BY t.nspname, t.relname, a.attnum;
