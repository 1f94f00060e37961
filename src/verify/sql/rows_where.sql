-- The rows of a segment (a key range, optionally narrowed to sub-buckets): key as text, row hash,
-- and the row version (xmin; used on blue to tell a row that was rewritten meanwhile).
SELECT {{key_texts}}, {{row_hash}}::text AS row_hash, t.xmin::text AS version
FROM {{table}} AS t
WHERE {{where}}
