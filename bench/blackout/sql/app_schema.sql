-- After pgbench -i, on both sides: pgbench_history gets the primary key it lacks (logical
-- replication needs a replica identity for every published table), and the application role
-- the load connects as gets what TPC-B needs.
ALTER TABLE pgbench_history ADD COLUMN id bigserial PRIMARY KEY;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO app;
