-- Extensions this server could install.
SELECT a.name, a.default_version, a.installed_version
  FROM pg_available_extensions a
 ORDER BY a.name;
