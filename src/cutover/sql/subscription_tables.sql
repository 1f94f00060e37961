-- The tables a subscription ($1) knows, by qualified name.
SELECT format('%I.%I', n.nspname, c.relname) AS qualified
  FROM pg_subscription s
  JOIN pg_subscription_rel r ON r.srsubid = s.oid
  JOIN pg_class c ON c.oid = r.srrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE s.subname = $1
   AND s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
 ORDER BY 1;
