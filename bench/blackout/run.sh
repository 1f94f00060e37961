#!/usr/bin/env bash
# bench/blackout in one command: installs what is missing, builds pgflip and the bench, then
# measures the write blackout of `pgflip cutover` / `pgflip rollback` against the write-up's
# runbook under pgbench TPC-B through PgBouncer, PG 14 -> PG 16. Exit 0 when every target is met.
# Extra arguments go to the bench (--help lists them); PGFLIP_BUILD_DIR picks the build dir.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${PGFLIP_BUILD_DIR:-build}
./scripts/install-deps.sh
PGFLIP_BUILD_DIR="$BUILD_DIR" ./scripts/build.sh
exec "$BUILD_DIR/bench/blackout/bench_blackout" \
    --pgflip "$BUILD_DIR/pgflip" \
    --runbook bench/blackout/runbook.sh \
    "$@"
