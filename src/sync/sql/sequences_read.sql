-- Every sequence's position (NULL when never used) and bounds.
SELECT schemaname AS schema, sequencename AS name, last_value, increment_by, min_value, max_value
  FROM pg_sequences
 WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
 ORDER BY 1, 2;
