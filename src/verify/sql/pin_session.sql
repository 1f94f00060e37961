-- Pins every setting that changes how a value is written as text, so that the text of a value
-- (keys, boundaries, shown values, the text-hashed columns) is the same on blue and green, and
-- keeps verify's own reads cheap and harmless: read-only, bounded lock waits, hash aggregation.
SELECT set_config('DateStyle', 'ISO, YMD', false),
       set_config('TimeZone', 'UTC', false),
       set_config('IntervalStyle', 'postgres', false),
       set_config('extra_float_digits', '3', false),
       set_config('bytea_output', 'hex', false),
       set_config('lc_monetary', 'C', false),
       set_config('lc_numeric', 'C', false),
       set_config('xmloption', 'content', false),
       set_config('search_path', 'pg_catalog', false),
       set_config('default_transaction_read_only', 'on', false),
       set_config('statement_timeout', '0', false),
       set_config('lock_timeout', '10s', false),
       set_config('work_mem', '64MB', false),
       set_config('enable_sort', 'off', false),
       set_config('application_name', 'pgflip verify', false);
