-- Facts every command needs about a server right after connecting.
SELECT current_setting('server_version_num')::int AS version_num,
       current_setting('server_version') AS version,
       (SELECT system_identifier::text FROM pg_control_system()) AS system_identifier,
       current_database() AS database,
       (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AS superuser;
