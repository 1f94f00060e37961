-- Every role name on this server.
SELECT rolname AS name FROM pg_roles ORDER BY 1;
