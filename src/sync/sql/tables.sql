-- The tables whose rows setup copies: permanent plain tables and leaf partitions outside the
-- system schemas, not owned by an extension (pg_dump leaves those to CREATE EXTENSION), with
-- their partition root (changes of partitions are published as the root), their sizes, and
-- their file node (a rewrite such as VACUUM FULL moves rows to other blocks), and the size of
-- their indexes (how much index building waits for their rows).
SELECT c.oid::bigint AS oid,
       coalesce(pg_partition_root(c.oid), c.oid)::bigint AS root,
       n.nspname AS schema,
       c.relname AS name,
       pg_relation_size(c.oid) AS heap_bytes,
       coalesce(pg_total_relation_size(nullif(c.reltoastrelid, 0)), 0) AS toast_bytes,
       pg_relation_size(c.oid) / current_setting('block_size')::bigint AS blocks,
       c.reltuples::bigint AS estimated_rows,
       pg_relation_filenode(c.oid)::bigint AS filenode,
       pg_indexes_size(c.oid) AS index_bytes
  FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind = 'r'
   AND c.relpersistence = 'p'
   AND n.nspname NOT IN ('pg_catalog', 'information_schema')
   AND n.nspname NOT LIKE 'pg\_%'
   AND NOT EXISTS (SELECT 1
                     FROM pg_depend d
                    WHERE d.classid = 'pg_class'::regclass
                      AND d.objid = c.oid
                      AND d.deptype = 'e')
 ORDER BY 1;
