-- finalize: pgflip's own objects go once replication is gone.
DROP SCHEMA IF EXISTS pgflip CASCADE;
