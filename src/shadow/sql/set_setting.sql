-- A setting the application's driver sets on connect (shadow --set NAME=VALUE), applied the same
-- way on both sides.
SELECT set_config($1, $2, false);
