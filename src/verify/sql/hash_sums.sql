-- Bucket sums by a hash: pass 1 of a table without a key (bucket = row hash & $1), and the
-- narrowing of one large key range into sub-buckets (bucket = key hash & $1, within a range).
SELECT {{bucket_hash}} & $1::int8 AS bucket,
       count(*) AS n,
       sum({{row_hash}}) AS hash_sum,
       {{hash_xor}} AS hash_xor
FROM {{table}} AS t
WHERE {{where}}
GROUP BY 1
