-- Every sequence's current value (NULL before its first nextval).
SELECT format('%I.%I', schemaname, sequencename) AS name, last_value::text AS last_value
FROM pg_sequences
WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
ORDER BY 1;
