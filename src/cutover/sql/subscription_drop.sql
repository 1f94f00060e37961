-- Drops a subscription and, when it still names one, its slot on the publisher (25-56 ms: only
-- ever after RESUME).
DROP SUBSCRIPTION IF EXISTS {subscription}
