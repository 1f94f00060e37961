-- Range boundaries for pass 1, from a block sample of blue: the distinct quantiles of the leading
-- key column at fractions $1, in the column's own order. $2 is the sample percentage.
SELECT b::text AS bound
FROM (SELECT DISTINCT unnest(percentile_disc($1::float8[]) WITHIN GROUP (ORDER BY {{key}})) AS b
      FROM {{table}} AS t TABLESAMPLE SYSTEM ($2)) AS s
WHERE b IS NOT NULL
ORDER BY b
