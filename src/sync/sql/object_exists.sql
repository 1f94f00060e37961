-- Raises an error when green has no such object ($1 type, $2 names, $3 args as text[] literals).
SELECT pg_get_object_address($1, $2::text[], $3::text[]) IS NOT NULL AS present;
