-- Tables whose autovacuum is back on leave the list ($1: their oids as a json array).
DELETE FROM pgflip.autovacuum_paused
WHERE relid IN (SELECT jsonb_array_elements_text($1::jsonb)::oid);
