-- The last heartbeat green has applied, and how long ago blue wrote it (seconds, green's clock).
SELECT beat::text AS beat,
       extract(epoch FROM clock_timestamp() - beat)::float8 AS age_s
  FROM pgflip.heartbeat
 WHERE id = 1;
