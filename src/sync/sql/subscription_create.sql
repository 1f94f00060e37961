-- On the slot setup created: streaming starts at the slot's consistent point, where the
-- snapshot the copy used ends. {subscription} and {publication} are quoted identifiers,
-- {conninfo} and {slot} quoted literals.
CREATE SUBSCRIPTION {subscription}
    CONNECTION {conninfo}
    PUBLICATION {publication}
    WITH (copy_data = false, create_slot = false, slot_name = {slot}, enabled = true);
