-- Work items green has committed (empty when the copy has not started yet).
SELECT item, table_oid, rows, bytes, generation
  FROM pgflip.copy_done
 ORDER BY item;
