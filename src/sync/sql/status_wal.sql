-- Blue's current WAL position, to measure how fast it writes.
SELECT pg_current_wal_lsn()::text AS current_lsn;
