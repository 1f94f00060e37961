-- For each role in $1: whether it exists, and its own default_transaction_read_only in this
-- database (NULL when it has none), which the fence replaces and unfencing restores.
SELECT w.name AS role,
       EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = w.name) AS present,
       (SELECT substr(c, length('default_transaction_read_only=') + 1)
          FROM pg_db_role_setting s
          JOIN pg_roles r ON r.oid = s.setrole
          JOIN pg_database d ON d.oid = s.setdatabase
         CROSS JOIN LATERAL unnest(s.setconfig) AS c
         WHERE r.rolname = w.name
           AND d.datname = current_database()
           AND c LIKE 'default_transaction_read_only=%') AS read_only
  FROM unnest($1::text[]) AS w(name)
 ORDER BY 1;
