-- The current file node of each table in $1 (json array of oids); NULL when it is gone.
SELECT t.oid::bigint AS oid, pg_relation_filenode(t.oid::oid)::bigint AS filenode
  FROM (SELECT jsonb_array_elements_text($1::jsonb)::bigint AS oid) AS t;
