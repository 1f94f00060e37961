SELECT to_regclass('pgflip.copy_done') IS NOT NULL AS present;
