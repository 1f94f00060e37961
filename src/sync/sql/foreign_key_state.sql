-- Whether a foreign key exists on green ($1 schema, $2 table, $3 name) and is validated.
SELECT k.convalidated AS validated
  FROM pg_constraint k
  JOIN pg_class c ON c.oid = k.conrelid
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = $1 AND c.relname = $2 AND k.conname = $3;
