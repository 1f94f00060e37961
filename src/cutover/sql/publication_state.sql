-- A publication ($1): does it publish every table, and pgflip.sentinel in particular?
SELECT p.puballtables,
       EXISTS (SELECT 1
                 FROM pg_publication_tables t
                WHERE t.pubname = p.pubname
                  AND t.schemaname = 'pgflip'
                  AND t.tablename = 'sentinel') AS has_sentinel
  FROM pg_publication p
 WHERE p.pubname = $1;
