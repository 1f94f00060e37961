-- One heartbeat on blue: the time it was written travels to green with the WAL. Returned in ISO
-- form with its offset whatever blue's DateStyle and TimeZone, so that green reads it back
-- exactly (heartbeat_seen.sql) whatever its own.
UPDATE pgflip.heartbeat SET beat = clock_timestamp() WHERE id = 1
RETURNING to_char(beat AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00' AS beat;
