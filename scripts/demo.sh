#!/usr/bin/env bash
# The main job on a local sandbox: installs what is missing, builds, starts blue (PG 14) +
# green (PG 16) + PgBouncer with a steady write load through the pooler, and runs pgflip on it.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
PGFLIP=$PWD/build/pgflip
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

step "write load through the pooler (pgbench progress)"
sleep 2
tail -n 3 "$SANDBOX/load.log"

step "done: the sandbox is stopped and removed (keep it with: pgflip sandbox up --load 8)"
