-- Whether green has applied the heartbeat written at $1 (or a later one).
SELECT coalesce((SELECT beat >= $1::timestamptz FROM pgflip.heartbeat WHERE id = 1), false) AS seen;
