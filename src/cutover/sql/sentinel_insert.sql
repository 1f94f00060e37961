-- The sentinel: written on the side being left with synchronous_commit on (set for the
-- session), it is the last transaction there; apply is in commit order, so once the other side
-- shows it, everything before it is there too.
INSERT INTO pgflip.sentinel (token, kind) VALUES ($1, $2);
