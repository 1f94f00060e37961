-- pgbench script: the sandbox's steady write load (one short transaction per run).
\set aid random(1, 10000)
\set amount random(1, 500)
BEGIN;
UPDATE accounts SET balance = balance + 1 WHERE id = :aid;
INSERT INTO orders (account_id, amount, details) VALUES (:aid, :amount, '{"source": "load"}');
INSERT INTO invoices (order_id) VALUES (currval('orders_id_seq'));
INSERT INTO events (kind) VALUES ('order');
END;
