-- On green only, for the duration of the copy: one row per finished work item, committed in the
-- same transaction as the item's rows, so a crash can never leave an item half-recorded.
-- Dropped when setup finishes (blue has no such table, so it must not outlive the copy).
CREATE TABLE IF NOT EXISTS pgflip.copy_done (
    item int PRIMARY KEY,
    table_oid bigint NOT NULL,
    rows bigint NOT NULL,
    bytes bigint NOT NULL,
    generation int NOT NULL,
    done_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
