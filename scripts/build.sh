#!/usr/bin/env bash
# build.sh — configures and builds ember into build/ (or $EMBER_BUILD_DIR).
# Extra arguments go to cmake's configure step, e.g. -DEMBER_SANITIZE=ON.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${EMBER_BUILD_DIR:-build}"
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@" >/dev/null
cmake --build "$build_dir" -j "$(nproc)"
