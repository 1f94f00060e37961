-- Subscriptions in green's current database (no connection string: it may hold a password).
SELECT s.oid::bigint AS subid, s.subname, s.subenabled, coalesce(s.subslotname, '') AS slot
FROM pg_subscription s
WHERE s.subdbid = (SELECT oid FROM pg_database WHERE datname = current_database())
ORDER BY s.subname;
