-- Picks up tables added to the publication (pgflip.sentinel) without copying anything.
ALTER SUBSCRIPTION {subscription} REFRESH PUBLICATION WITH (copy_data = false)
