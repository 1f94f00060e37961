-- Whether subscription $1 exists in this database, and on which slot.
SELECT subslotname::text AS slot, subenabled AS enabled
  FROM pg_subscription
 WHERE subname = $1
   AND subdbid = (SELECT oid FROM pg_database WHERE datname = current_database());
