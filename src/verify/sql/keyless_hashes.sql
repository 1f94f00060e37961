-- The multiset of row hashes in some buckets of a table without a key.
SELECT {{row_hash}}::text AS row_hash, count(*) AS n
FROM {{table}} AS t
WHERE ({{row_hash}} & $1::int8) = ANY ($2::int8[])
GROUP BY 1
