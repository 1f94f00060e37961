-- How far each apply worker has got: latest_end_lsn is reported after every message before it was
-- applied and committed. $1: subscription oids.
SELECT s.subid::bigint AS subid, max(s.latest_end_lsn)::text AS lsn
FROM pg_stat_subscription s
WHERE s.relid IS NULL AND s.subid = ANY ($1::oid[])
GROUP BY s.subid;
