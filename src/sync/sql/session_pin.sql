-- Settings of every setup session: text COPY output that the other side reads back exactly
-- (dates, intervals, floats, bytea in one fixed form), and no user defaults (timeouts,
-- search_path) in the way of long copies and index builds.
SET datestyle = 'ISO, YMD';
SET intervalstyle = 'postgres';
SET extra_float_digits = 3;
SET bytea_output = 'hex';
SET timezone = 'UTC';
SET search_path = pg_catalog;
SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
