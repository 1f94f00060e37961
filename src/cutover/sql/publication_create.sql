-- The publication the way back reads from, created before the flip (the slot created at the
-- flip needs it to exist first, or decoding fails for good).
CREATE PUBLICATION {publication} FOR ALL TABLES
