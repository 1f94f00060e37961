-- Every column as text for rows of a table without a key, found by row hash (--show-values).
SELECT {{row_hash}}::text AS row_hash, {{column_texts}}
FROM {{table}} AS t
WHERE {{row_hash}} = ANY ($1::int8[])
