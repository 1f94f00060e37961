#include "support/dataset.hpp"

namespace pgflip::bench {

namespace {

//! Runs `body` (a format() template with %1$I for the table name) for small_001 .. small_100.
std::string for_small_tables(const std::string& body) {
    return "DO $$\nBEGIN\n    FOR i IN 1..100 LOOP\n        EXECUTE format(" + body +
           ", 'small_' || lpad(i::text, 3, '0'));\n    END LOOP;\nEND\n$$;\n";
}

}  // namespace

std::string dataset_tables_sql() {
    return R"sql(
CREATE TYPE status AS ENUM ('new', 'paid', 'shipped');
CREATE TABLE big (id bigint PRIMARY KEY, ext_id uuid NOT NULL, account_id int NOT NULL,
                  email text NOT NULL, created_at timestamptz NOT NULL,
                  amount numeric(12, 2) NOT NULL, rate float8 NOT NULL, status status NOT NULL,
                  note text NOT NULL);
CREATE TABLE docs (id int PRIMARY KEY, customer text NOT NULL, doc jsonb NOT NULL);
)sql" + for_small_tables(
               "'CREATE TABLE %1$I (id int PRIMARY KEY, name text NOT NULL, "
               "v int NOT NULL, at timestamptz NOT NULL)'");
}

std::string dataset_rows_sql(double gb) {
    auto n = [gb](double base) { return std::to_string(static_cast<long long>(base * gb)); };
    return R"sql(
INSERT INTO big
SELECT g, md5(g::text)::uuid, g % 50000, 'user' || (g::int8 * 7919) % 1000003 || '@example.com',
       timestamptz '2024-01-01' + g * interval '1 second', (g % 100000) / 100.0, g / 7.0,
       (ARRAY['new', 'paid', 'shipped'])[1 + g % 3]::status, repeat(md5(g::text), 13)
  FROM generate_series(1, )sql" +
           n(1100000) + R"sql() g;
INSERT INTO docs
SELECT g, 'customer ' || g % 1000,
       jsonb_build_object('id', g, 'customer', g % 1000, 'items',
           (SELECT jsonb_agg(jsonb_build_object('sku', md5((g * 100 + i)::text), 'qty', i,
                                                'price', i * 1.5, 'note', md5(i::text)))
              FROM generate_series(1, 24) i))
  FROM generate_series(1, )sql" +
           n(120000) + ") g;\n" +
           for_small_tables(
               "'INSERT INTO %1$I SELECT g, md5(g::text), g %% 100, "
               "timestamptz ''2024-01-01'' + g * interval ''1 minute'' "
               "FROM generate_series(1, " +
               n(10000) + ") g'");
}

std::string dataset_indexes_sql() {
    return R"sql(
CREATE UNIQUE INDEX big_ext_id_key ON big (ext_id);
CREATE INDEX big_account_idx ON big (account_id);
CREATE INDEX big_email_idx ON big (email);
CREATE INDEX big_created_idx ON big (created_at);
CREATE INDEX docs_customer_idx ON docs (customer);
)sql" + for_small_tables("'CREATE INDEX ON %1$I (v)'");
}

}  // namespace pgflip::bench
