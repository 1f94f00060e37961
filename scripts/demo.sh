#!/usr/bin/env bash
# The main job on a local sandbox: installs what is missing, builds, starts blue (PG 14) +
# green (PG 16) + PgBouncer with a steady write load through the pooler, and runs pgflip on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
PGFLIP=$PWD/${PGFLIP_BUILD_DIR:-build}/pgflip
SANDBOX=${PGFLIP_SANDBOX_DIR:-$PWD/sandbox}
CONFIG=$SANDBOX/pgflip.toml

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

if [ -f "$SANDBOX/sandbox.json" ]; then
    "$PGFLIP" sandbox down --dir "$SANDBOX"
fi
trap '"$PGFLIP" sandbox down --dir "$SANDBOX" >/dev/null 2>&1 || true' EXIT

step "sandbox up: blue PG ${PGFLIP_BLUE_VERSION:-14}, green PG ${PGFLIP_GREEN_VERSION:-16}, PgBouncer, 8 clients writing through it"
"$PGFLIP" sandbox up --dir "$SANDBOX" --blue-version "${PGFLIP_BLUE_VERSION:-14}" \
    --green-version "${PGFLIP_GREEN_VERSION:-16}" --load 8

step "pgflip check: preflight of blue, green and the pooler"
"$PGFLIP" --config "$CONFIG" check

step "pgflip setup: schema, publication, slot with exported snapshot, parallel COPY, indexes, subscription"
"$PGFLIP" --config "$CONFIG" setup

step "pgflip status: replication health"
sleep 2
"$PGFLIP" --config "$CONFIG" status

step "pgflip verify: schema, sequences and data of blue and green, under load"
"$PGFLIP" --config "$CONFIG" verify

step "pgflip shadow: the application's read queries replayed on blue and green, results compared"
# Rows the load does not change (it updates balances and adds orders): a difference would be real.
cat >"$SANDBOX/queries.sql" <<'SQL'
SELECT status, count(*) FROM orders WHERE id <= 50000 GROUP BY status;
SELECT id, name, created_at FROM accounts WHERE id = $1;
-- parameters: $1 = '42'
-- parameters: $1 = '4242'
SELECT o.id, o.amount, o.details->>'sku' AS sku FROM orders o WHERE o.account_id = $1 AND o.id <= 50000;
-- parameters: $1 = '7'
SELECT status, round(avg(amount), 6), sum(amount), min(created_at) FROM orders WHERE id <= 50000 GROUP BY status;
SQL
"$PGFLIP" --config "$CONFIG" shadow --queries "$SANDBOX/queries.sql"

step "pgflip cutover: the flip to green, writes still running through the pooler"
"$PGFLIP" --config "$CONFIG" cutover

step "pgflip rollback: the flip back to blue through the reverse subscription"
sleep 2
"$PGFLIP" --config "$CONFIG" rollback

step "pgflip cutover again"
sleep 2
"$PGFLIP" --config "$CONFIG" cutover

step "pgflip report: the last flip's timeline"
"$PGFLIP" --config "$CONFIG" report

step "pgflip finalize: replication objects dropped, no slot retains WAL"
"$PGFLIP" --config "$CONFIG" finalize

step "the write load through the pooler never stopped (pgbench progress)"
tail -n 4 "$SANDBOX/load.log"

step "done: the sandbox is stopped and removed (keep one with: build/pgflip sandbox up --load 8)"
