-- Setup's sessions on green work like the subscription's apply worker: the application's
-- triggers, rules and event triggers (restored from blue) do not fire for the rows setup copies
-- or the DDL it runs there (foreign keys, refreshes, autovacuum, the subscription). Otherwise an
-- auditing trigger would write rows on green that blue never had. Needs a superuser, as setup does.
SET session_replication_role = replica;
