-- The way back, armed on the destination in one round trip at the exact point where it holds
-- everything the origin had: the slot the back subscription reads from (its publication exists
-- already), and the forward subscription stopped (it is dropped after RESUME).
SELECT pg_create_logical_replication_slot({slot}, 'pgoutput');
ALTER SUBSCRIPTION {subscription} DISABLE;
