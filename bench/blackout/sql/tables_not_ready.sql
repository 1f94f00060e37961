-- Tables of a subscription (named by $1) not yet in state 'r' (ready), and all of its tables.
SELECT count(*) FILTER (WHERE r.srsubstate <> 'r') AS not_ready, count(*) AS total
FROM pg_subscription_rel AS r
JOIN pg_subscription AS s ON s.oid = r.srsubid
WHERE s.subname = $1;
