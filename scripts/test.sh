#!/usr/bin/env bash
# Installs what is missing, builds, checks formatting, and runs every test (unit + integration
# against real PostgreSQL 14-18 and PgBouncer on 127.0.0.1).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build.sh
./scripts/format.sh --check
BUILD_DIR=${PGFLIP_BUILD_DIR:-build}
cd "$BUILD_DIR"
# Two cores: unit tests and up to two integration suites at a time.
ctest --output-on-failure -j "${PGFLIP_TEST_JOBS:-2}" "$@"
