-- Whether the subscription $1 exists in this database.
SELECT subname FROM pg_subscription
WHERE subname = $1 AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database());
