-- One heartbeat on blue: the time it was written travels to green with the WAL.
UPDATE pgflip.heartbeat SET beat = clock_timestamp() WHERE id = 1 RETURNING beat::text AS beat;
