-- Tables whose initial copy is not finished on green (not comparable yet). $1: subscription oids.
SELECT n.nspname AS schema_name, c.relname AS table_name, r.srsubstate::text AS state
FROM pg_subscription_rel r
JOIN pg_class c ON c.oid = r.srrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.srsubid = ANY ($1::oid[]) AND r.srsubstate <> 'r';
