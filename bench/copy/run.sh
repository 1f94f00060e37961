#!/usr/bin/env bash
# The initial-copy benchmark in one command: installs what is missing, builds pgflip and the
# bench, then brings a ~1 GB database (bench/dataset: one large table, one wide jsonb table, a
# hundred small tables, secondary indexes) to a streaming, fully indexed green, with
# `pgflip setup` and with the built-in copy_data = true (schema with indexes restored first, as
# the write-up did), on fresh green databases, in each of several rounds; prints both wall times,
# their ratio per round, the CPU-seconds the machine spent on each, and the medians. Options go
# to the bench: --blue 14 --green 16 --gb 1 --jobs 4 --repeat 3, --set name=value (a server
# setting, both servers; repeatable), --skip-builtin (pgflip only), --keep (leave the servers
# running).
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${PGFLIP_BUILD_DIR:-build}
./scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGFLIP_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" --target pgflip copy_bench
exec "$BUILD_DIR/bench/copy_bench" "$@"
