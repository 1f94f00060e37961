-- The sandbox's demo application: identity and serial keys, a sequence owned by no column,
-- numeric, jsonb, uuid, timestamptz and an enum, all with primary keys.
CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped', 'cancelled');

CREATE TABLE accounts (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    balance numeric(14, 2) NOT NULL DEFAULT 0,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE orders (
    id bigserial PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id),
    amount numeric(12, 2) NOT NULL,
    status order_status NOT NULL DEFAULT 'new',
    details jsonb,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX orders_account_idx ON orders (account_id);

CREATE SEQUENCE invoice_numbers START 1000;

CREATE TABLE invoices (
    id bigint PRIMARY KEY DEFAULT nextval('invoice_numbers'),
    order_id bigint NOT NULL REFERENCES orders (id),
    issued_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE events (
    id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    kind text NOT NULL,
    payload jsonb,
    at timestamptz NOT NULL DEFAULT clock_timestamp()
);

INSERT INTO accounts (name, balance)
SELECT 'account ' || g, (g % 1000)::numeric / 7 FROM generate_series(1, 10000) AS g;

INSERT INTO orders (account_id, amount, status, details)
SELECT 1 + g % 10000, (g % 500)::numeric / 3, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]::order_status,
       jsonb_build_object('sku', 'SKU-' || g % 97, 'qty', 1 + g % 5)
FROM generate_series(1, 50000) AS g;

INSERT INTO invoices (order_id) SELECT id FROM orders WHERE id % 10 = 0;

GRANT USAGE ON SCHEMA public TO app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO app;
GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO app;
ANALYZE;
