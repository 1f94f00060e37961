-- Forgets the finished items of tables that must be copied again ($1: table oids as json array).
DELETE FROM pgflip.copy_done WHERE table_oid IN (SELECT jsonb_array_elements_text($1::jsonb)::bigint);
