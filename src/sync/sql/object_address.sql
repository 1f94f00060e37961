-- How blue names an object from pg_dump's TOC (catalog oid $1, object oid $2), portably.
SELECT type, object_names::text AS names, object_args::text AS args
  FROM pg_identify_object_as_address($1::oid, $2::oid, 0);
