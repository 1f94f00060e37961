-- The columns COPY moves for the tables in $1 (json array of oids): stored, not generated,
-- not dropped, in column order; with their type and whether binary COPY carries them safely
-- to another server. Binary is safe for built-in base types (stable OIDs, send/receive), enums
-- (sent as labels), built-in ranges and arrays of built-in types; not for reg* types (OIDs differ between
-- servers), composites and arrays of user types (both embed type OIDs), or extension types.
-- Domains are judged by their base type.
WITH RECURSIVE cols AS (
    SELECT a.attrelid, a.attnum, a.atttypid AS typ
      FROM pg_attribute a
     WHERE a.attrelid IN (SELECT jsonb_array_elements_text($1::jsonb)::oid)
       AND a.attnum > 0
       AND NOT a.attisdropped
       AND a.attgenerated = ''
    UNION ALL
    SELECT c.attrelid, c.attnum, t.typbasetype
      FROM cols c
      JOIN pg_type t ON t.oid = c.typ
     WHERE t.typtype = 'd'
)
SELECT c.attrelid::bigint AS table_oid,
       a.attname AS name,
       format_type(a.atttypid, a.atttypmod) AS type,
       (t.typtype = 'e'
        OR (t.typtype IN ('r', 'm') AND t.oid < 16384)
        OR (t.typtype = 'b'
            AND t.oid < 16384
            AND t.typsend <> 0
            AND t.typreceive <> 0
            AND t.typname NOT LIKE 'reg%'
            AND t.typname NOT LIKE '\_reg%'
            AND (t.typelem = 0
                 OR EXISTS (SELECT 1
                              FROM pg_type e
                             WHERE e.oid = t.typelem
                               AND e.oid < 16384
                               AND e.typtype = 'b'
                               AND e.typsend <> 0)))) AS binary_safe
  FROM cols c
  JOIN pg_type t ON t.oid = c.typ AND t.typtype <> 'd'
  JOIN pg_attribute a ON a.attrelid = c.attrelid AND a.attnum = c.attnum
 ORDER BY c.attrelid, c.attnum;
