-- Rows looked up by key: $1.. are text arrays, one per key column, cast to each column's type.
SELECT {{key_texts}}, {{row_hash}}::text AS row_hash, t.xmin::text AS version
FROM {{table}} AS t
JOIN unnest({{key_arrays}}) AS k({{key_names}}) ON {{key_join}}
