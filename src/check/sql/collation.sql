-- The migrated database's encoding and default collation: provider (c libc, i icu, b builtin),
-- locales, and the collation library version recorded at creation (PostgreSQL 15+). Read
-- through to_jsonb so one query serves every version's pg_database columns.
SELECT quote_ident(d.datname) AS database,
       pg_encoding_to_char(d.encoding) AS encoding,
       d.datcollate AS lc_collate,
       d.datctype AS lc_ctype,
       coalesce(to_jsonb(d) ->> 'datlocprovider', 'c') AS provider,
       coalesce(to_jsonb(d) ->> 'datlocale', to_jsonb(d) ->> 'daticulocale', '') AS locale
  FROM pg_database d
 WHERE d.datname = current_database();
