-- The tables a publication ($1) publishes, by qualified name.
SELECT format('%I.%I', t.schemaname, t.tablename) AS qualified
  FROM pg_publication_tables t
 WHERE t.pubname = $1
 ORDER BY 1;
