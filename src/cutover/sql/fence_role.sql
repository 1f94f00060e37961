-- The fence, per application role and only in the migrated database: new sessions start
-- read-only (their writes fail instead of landing on the side being left).
ALTER ROLE {role} IN DATABASE {database} SET default_transaction_read_only = on;
