-- Every table's autovacuum is back on: the list goes (green only, like pgflip.copy_done).
DROP TABLE IF EXISTS pgflip.autovacuum_paused;
