-- Extensions installed in this database.
SELECT e.extname AS name, quote_ident(e.extname) AS ident, e.extversion AS version
  FROM pg_extension e
 ORDER BY e.extname;
