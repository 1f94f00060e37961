SELECT to_regclass('pgflip.autovacuum_paused') IS NOT NULL AS present;
