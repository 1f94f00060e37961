#!/usr/bin/env bash
# Configures and builds pgflip (Release with debug info) into ./build. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${PGFLIP_BUILD_DIR:-build}
jobs=$(nproc 2>/dev/null || echo 2)
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "$jobs"
echo "built: $BUILD_DIR/pgflip"
