#!/usr/bin/env bash
# The verify benchmark in one command: builds the bench, starts blue and green (lab clusters),
# loads a ~1 GB database on blue, copies it to green, then times `pgflip verify` against the
# whole-table text checksum (count + sum(hashtext(row::text)), both sides in parallel) in the same
# run and prints the ratio; then once more with four rows changed on green, all of them located.
# Options go to the bench: --blue 14 --green 17 --gb 1 --jobs 2 --repeat 3.
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${PGFLIP_BUILD_DIR:-build}
./scripts/install-deps.sh
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPGFLIP_BENCH=ON >/dev/null
cmake --build "$BUILD_DIR" -j "$(nproc 2>/dev/null || echo 2)" --target verify_bench
exec "$BUILD_DIR/bench/verify/verify_bench" "$@"
