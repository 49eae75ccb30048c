#!/usr/bin/env bash
# start.sh — the first command a new user types: installs what is missing,
# builds ember, and runs the first lesson (for now: the linear-regression
# example, the classic first lesson).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "ember is built: ./build/ember  (try: ./build/ember --help)"
echo "Running the first lesson: linear regression"
echo
exec ./build/ember run examples/linear_regression.lua
