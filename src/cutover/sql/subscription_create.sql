-- The way back, created disabled before the flip and enabled at it: no slot of its own (the flip
-- creates it at the exact point), no copy (both sides hold the same data then). Connecting now
-- records every published table as ready, without which the apply worker would skip them.
CREATE SUBSCRIPTION {subscription}
    CONNECTION {conninfo}
    PUBLICATION {publication}
    WITH (enabled = false, create_slot = false, copy_data = false, slot_name = {slot})
