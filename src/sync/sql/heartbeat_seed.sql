-- The heartbeat row, on blue only: green gets it through the copy, then through replication.
INSERT INTO pgflip.heartbeat (id, beat) VALUES (1, clock_timestamp()) ON CONFLICT (id) DO NOTHING;
