-- pgflip's own objects, created on both sides before a flip: the sentinel table the flip writes
-- to prove catch-up (and the health probe through each pooler). Tokens are random text, so rows
-- replicated in either direction never collide. Simple protocol: several statements.
CREATE SCHEMA IF NOT EXISTS pgflip;
CREATE TABLE IF NOT EXISTS pgflip.sentinel (
    token text PRIMARY KEY,
    kind text NOT NULL,
    written_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
GRANT USAGE ON SCHEMA pgflip TO PUBLIC;
GRANT SELECT, INSERT ON pgflip.sentinel TO PUBLIC;
