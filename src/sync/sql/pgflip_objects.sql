-- pgflip's own objects, created on both sides by setup (simple protocol, idempotent): the
-- cutover sentinel, the heartbeat that shows lag in seconds, and the log of DDL seen on blue.
-- All three are published like any table, so their rows reach green by replication.
CREATE SCHEMA IF NOT EXISTS pgflip;
-- The sentinel is keyed by random tokens (the same definition as cutover's objects_create.sql):
-- a serial key would collide once rows flow back from green after a flip.
CREATE TABLE IF NOT EXISTS pgflip.sentinel (
    token text PRIMARY KEY,
    kind text NOT NULL,
    written_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE TABLE IF NOT EXISTS pgflip.heartbeat (
    id int PRIMARY KEY,
    beat timestamptz NOT NULL
);
CREATE TABLE IF NOT EXISTS pgflip.ddl_log (
    id bigserial PRIMARY KEY,
    logged_at timestamptz NOT NULL DEFAULT clock_timestamp(),
    command_tag text NOT NULL,
    object_type text,
    object_identity text
);
GRANT USAGE ON SCHEMA pgflip TO PUBLIC;
GRANT SELECT, INSERT ON pgflip.sentinel TO PUBLIC;
GRANT SELECT ON pgflip.heartbeat, pgflip.ddl_log TO PUBLIC;
