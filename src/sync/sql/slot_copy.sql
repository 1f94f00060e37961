-- A slot under the name the subscription expects, at the same position as the source slot.
SELECT pg_copy_logical_replication_slot($1, $2);
