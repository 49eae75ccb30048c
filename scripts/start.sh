#!/usr/bin/env bash
# start.sh — the first command a new user types: installs what is missing,
# builds ember, and starts the lessons where you left off (lesson 1 the
# first time). Quit a lesson with q; `./build/ember lesson` resumes it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
scripts/build.sh
echo
echo "ember is built: ./build/ember  (try: ./build/ember --help)"
echo "Starting the lessons (Enter runs a step, h shows a hint, q quits and saves)"
echo
exec ./build/ember lesson
