-- Result-affecting settings ($1: lower-case names) as this session sees them, and where each
-- value comes from (pg_settings.source: default, configuration file, database, user, ...).
SELECT s.name, lower(s.name) AS key, s.setting, s.source,
       quote_ident(current_database()) AS database
  FROM pg_settings s
 WHERE lower(s.name) = ANY ($1::text[])
 ORDER BY s.name;
