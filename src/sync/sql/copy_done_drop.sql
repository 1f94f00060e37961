DROP TABLE IF EXISTS pgflip.copy_done;
