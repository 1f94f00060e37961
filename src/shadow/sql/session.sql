-- Shadow's session on both sides. Only the client's own representation is pinned (float text
-- the way drivers ask for it, UTF8), so that what green's server, database and role settings
-- change (TimeZone, DateStyle, IntervalStyle, bytea_output, search_path, ...) shows in results.
-- Reads only, and a server-side limit per statement ($1, in milliseconds).
SELECT set_config('extra_float_digits', '3', false),
       set_config('client_encoding', 'UTF8', false),
       set_config('application_name', 'pgflip shadow', false),
       set_config('default_transaction_read_only', 'on', false),
       set_config('statement_timeout', $1, false);
