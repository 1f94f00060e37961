-- How many tables have autovacuum switched off by setup (run when the list exists).
SELECT count(*) FROM pgflip.autovacuum_paused;
