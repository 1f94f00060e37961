INSERT INTO pgflip.copy_done (item, table_oid, rows, bytes, generation) VALUES ($1, $2, $3, $4, $5);
