-- Moves sequences on green ($1: json [{schema, name, value}]) to at least `value`; a sequence
-- already further along (in its increment's direction) keeps its position.
SELECT count(setval(format('%I.%I', e->>'schema', e->>'name')::regclass,
                    (e->>'value')::bigint, true)) AS moved
  FROM jsonb_array_elements($1::jsonb) AS e
  JOIN pg_sequences s ON s.schemaname = e->>'schema' AND s.sequencename = e->>'name'
 WHERE s.last_value IS NULL
    OR (s.increment_by > 0 AND s.last_value < (e->>'value')::bigint)
    OR (s.increment_by < 0 AND s.last_value > (e->>'value')::bigint);
