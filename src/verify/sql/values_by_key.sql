-- Every column as text for rows looked up by key, to name the columns that differ (and show them).
SELECT {{key_texts}}, {{column_texts}}
FROM {{table}} AS t
JOIN unnest({{key_arrays}}) AS k({{key_names}}) ON {{key_join}}
