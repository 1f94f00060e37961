-- Sets every sequence in one round trip: schemas $1, names $2, values $3, is_called $4.
-- Sequences already at that state are left alone (setval writes WAL); returns how many moved.
SELECT count(setval(q.seq, t.v, t.called)) AS moved
  FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bool[]) AS t(s, n, v, called)
 CROSS JOIN LATERAL (SELECT format('%I.%I', t.s, t.n)::regclass AS seq) q
 WHERE NOT t.called OR pg_sequence_last_value(q.seq) IS DISTINCT FROM t.v;
