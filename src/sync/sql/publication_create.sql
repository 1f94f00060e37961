-- Every table, and partitions as their root, so green may partition differently.
-- {publication} is a quoted identifier; {with} adds publish_via_partition_root on PG 13+.
CREATE PUBLICATION {publication} FOR ALL TABLES {with};
