-- How many of the backends in $1 are still there.
SELECT count(*) AS alive FROM pg_stat_activity WHERE pid = ANY ($1::int[]);
