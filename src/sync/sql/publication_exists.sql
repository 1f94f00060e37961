-- Whether publication $1 exists in this database, and whether it publishes every table.
SELECT puballtables AS all_tables FROM pg_publication WHERE pubname = $1;
