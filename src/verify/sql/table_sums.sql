-- Pass 1 over a table small enough to be one bucket: rows, and the sum and xor of the row hashes
-- (order-independent). Placeholders are filled with names quoted by the server.
SELECT 0 AS bucket,
       count(*) AS n,
       coalesce(sum({{row_hash}}), 0) AS hash_sum,
       coalesce({{hash_xor}}, 0) AS hash_xor
FROM {{table}} AS t
