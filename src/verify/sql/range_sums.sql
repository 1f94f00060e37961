-- Pass 1 over a keyed table: rows, hash sum and hash xor per key range. $1 is the array of range
-- boundaries sampled on blue; width_bucket numbers the ranges 0..n by binary search, so the cost
-- stays one sequential scan.
SELECT width_bucket({{key}}, $1::{{key_type}}[]) AS bucket,
       count(*) AS n,
       sum({{row_hash}}) AS hash_sum,
       {{hash_xor}} AS hash_xor
FROM {{table}} AS t
GROUP BY 1
