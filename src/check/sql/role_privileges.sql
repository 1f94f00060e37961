-- What the role pgflip connects as may do on this server and in this database, and the owners
-- of user tables it does not act as (publishing a table needs its owner's privileges).
WITH user_tables AS (
    SELECT c.relowner
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p')
       AND c.relpersistence = 'p'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pgflip')
       AND n.nspname !~ '^pg_(toast|temp_)'
       AND NOT EXISTS (SELECT 1 FROM pg_depend d
                        WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
                          AND d.deptype = 'e'))
SELECT quote_ident(r.rolname) AS role,
       quote_ident(current_database()) AS database,
       r.rolsuper AS superuser,
       r.rolreplication AS replication,
       r.rolcreaterole AS createrole,
       has_database_privilege(current_database(), 'CREATE') AS create_on_database,
       pg_has_role(current_user, 'pg_signal_backend', 'MEMBER') AS signal_backend,
       pg_has_role(current_user, 'pg_read_all_stats', 'MEMBER') AS read_all_stats,
       (SELECT pg_has_role(current_user, s.oid, 'MEMBER')
          FROM pg_roles s WHERE s.rolname = 'pg_create_subscription') AS create_subscription,
       (SELECT count(*) FROM user_tables t
         WHERE NOT pg_has_role(current_user, t.relowner, 'USAGE')) AS tables_not_owned,
       (SELECT coalesce(json_agg(DISTINCT quote_ident(o.rolname)), '[]')
          FROM user_tables t JOIN pg_roles o ON o.oid = t.relowner
         WHERE NOT pg_has_role(current_user, t.relowner, 'USAGE')) AS other_owners
  FROM pg_roles r
 WHERE r.rolname = current_user;
