-- The health probe, sent through a pooler: a write that must land on the destination.
INSERT INTO pgflip.sentinel (token, kind) VALUES ($1, 'health') RETURNING inet_server_port() AS port;
