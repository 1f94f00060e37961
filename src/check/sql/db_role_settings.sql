-- Per-database and per-role settings (pg_db_role_setting) among $1 (lower-case names) that apply
-- in this database: role '' is the database's own; in_database false means ALTER ROLE ... SET.
SELECT CASE WHEN s.setrole = 0 THEN '' ELSE quote_ident(r.rolname) END AS role,
       s.setdatabase <> 0 AS in_database,
       lower(split_part(c.cfg, '=', 1)) AS key,
       substr(c.cfg, strpos(c.cfg, '=') + 1) AS value
  FROM pg_db_role_setting s
  LEFT JOIN pg_roles r ON r.oid = s.setrole
 CROSS JOIN LATERAL unnest(s.setconfig) AS c(cfg)
 WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
   AND lower(split_part(c.cfg, '=', 1)) = ANY ($1::text[])
 ORDER BY 1, 2, 3;
