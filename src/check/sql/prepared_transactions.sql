-- Prepared (two-phase) transactions: they hold locks and block creating a replication slot.
SELECT quote_literal(p.gid) AS gid, p.owner, p.database,
       (extract(epoch FROM now() - p.prepared) * 1000)::bigint AS age_ms
  FROM pg_prepared_xacts p
 ORDER BY p.prepared;
