-- Whether pgflip's sentinel table exists here.
SELECT to_regclass('pgflip.sentinel') IS NOT NULL AS present;
