-- The tables with extended statistics (CREATE STATISTICS, restored with the post-data section
-- after the copy): their ANALYZE waits until then.
SELECT DISTINCT stxrelid::bigint AS table_oid
  FROM pg_statistic_ext;
