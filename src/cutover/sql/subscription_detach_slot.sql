-- A disabled subscription forgets its slot, so that dropping it does not need the publisher.
ALTER SUBSCRIPTION {subscription} SET (slot_name = NONE)
