-- Tables whose UPDATE and DELETE logical replication cannot carry (no primary key with replica
-- identity DEFAULT, identity NOTHING, or USING INDEX on an index since dropped), and tables with
-- replica identity FULL. For each, the best unique index that could serve as replica identity:
-- unique, immediate, valid, not partial, no expressions, and its key columns NOT NULL
-- (usable_index), or such an index whose key columns are still nullable (nullable_index).
WITH tables AS (
    SELECT c.oid, c.relreplident,
           format('%I.%I', n.nspname, c.relname) AS qualified,
           EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS has_pk,
           EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.oid AND i.indisreplident)
               AS has_identity_index
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind = 'r'
       AND c.relpersistence = 'p'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
       AND n.nspname !~ '^pg_(toast|temp_)'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e')),
candidates AS (
    SELECT i.indrelid, ic.relname AS index_name, i.indnkeyatts,
           (SELECT coalesce(json_agg(quote_ident(a.attname) ORDER BY a.attnum), '[]')
              FROM pg_attribute a
             WHERE a.attrelid = i.indrelid
               AND a.attnum = ANY ((i.indkey::int2[])[0:i.indnkeyatts - 1])
               AND NOT a.attnotnull) AS nullable_columns
      FROM pg_index i
      JOIN pg_class ic ON ic.oid = i.indexrelid
     WHERE i.indisunique AND i.indimmediate AND i.indisvalid
       AND i.indpred IS NULL AND i.indexprs IS NULL
       AND i.indrelid IN (SELECT oid FROM tables))
SELECT t.qualified,
       t.relreplident AS identity,
       t.has_pk,
       (SELECT quote_ident(c.index_name) FROM candidates c
         WHERE c.indrelid = t.oid AND c.nullable_columns::text = '[]'
         ORDER BY c.indnkeyatts, c.index_name LIMIT 1) AS usable_index,
       (SELECT quote_ident(c.index_name) FROM candidates c
         WHERE c.indrelid = t.oid
         ORDER BY c.indnkeyatts, c.index_name LIMIT 1) AS nullable_index,
       (SELECT c.nullable_columns FROM candidates c
         WHERE c.indrelid = t.oid
         ORDER BY c.indnkeyatts, c.index_name LIMIT 1) AS nullable_columns
  FROM tables t
 WHERE t.relreplident IN ('n', 'f')
    OR (t.relreplident = 'd' AND NOT t.has_pk)
    OR (t.relreplident = 'i' AND NOT t.has_identity_index)
 ORDER BY t.qualified;
