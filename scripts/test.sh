#!/usr/bin/env bash
# test.sh — the whole test suite: installs what the tests need, builds, and
# runs every test through ctest (C unit tests, Lua tests, examples, and peer
# tests against real PyTorch). Extra arguments go to ctest, e.g. -L lua.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
scripts/build.sh
ctest --test-dir "${EMBER_BUILD_DIR:-build}" --output-on-failure -j "$(nproc)" "$@"
