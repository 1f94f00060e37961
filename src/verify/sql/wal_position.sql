-- Where blue's WAL insertion is now: every commit visible to a statement that ended before this
-- one lies before it. Also the WAL page size, to allow for a page header.
SELECT pg_current_wal_insert_lsn()::text AS lsn,
       current_setting('wal_block_size')::int AS block_size;
