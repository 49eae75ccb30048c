#!/usr/bin/env bash
# Crash safety: a process saving checkpoints in a loop is killed with SIGKILL
# at random moments, 200 times; after every kill the checkpoint must load and
# be consistent. The control — the same loop writing the file in place — must
# leave unloadable files, which proves this test can fail.
set -uo pipefail
ember="$1"
kills=${EMBER_CRASH_KILLS:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

torture() {   # torture MODE -> prints the number of bad checkpoints
  local mode=$1 n=$2 bad=0
  local path="$tmp/$mode.pt"
  rm -f "$path"
  # a first complete checkpoint, so there is always one to protect
  "$ember" run tests/examples/save_loop.lua "$path" "$mode" & local pid=$!
  until "$ember" run tests/examples/save_loop.lua "$path" check >/dev/null 2>&1; do sleep 0.05; done
  kill -9 $pid; wait $pid 2>/dev/null
  for ((i = 0; i < n; i++)); do
    "$ember" run tests/examples/save_loop.lua "$path" "$mode" & pid=$!
    sleep "0.0$((RANDOM % 90 + 10))"
    kill -9 $pid; wait $pid 2>/dev/null
    if ! "$ember" run tests/examples/save_loop.lua "$path" check >/dev/null 2>&1; then
      bad=$((bad + 1))
      "$ember" run tests/examples/save_loop.lua "$path" "$mode" & pid=$!   # heal for the next round
      until "$ember" run tests/examples/save_loop.lua "$path" check >/dev/null 2>&1; do sleep 0.05; done
      kill -9 $pid; wait $pid 2>/dev/null
    fi
  done
  echo "$bad"
}

bad=$(torture atomic "$kills")
leftovers=$(find "$tmp" -name '*.tmp*' | wc -l)
echo "atomic saves: $kills SIGKILLs, $bad unloadable checkpoints, $leftovers temp files left"
control=$(torture inplace 50)
echo "control (in-place writes): 50 SIGKILLs, $control unloadable checkpoints"
if [[ "$bad" -ne 0 ]]; then echo "FAIL: atomic saves lost a checkpoint"; exit 1; fi
# a killed save leaves its temp file; the next save of the same file removes it
if [[ "$leftovers" -gt 1 ]]; then echo "FAIL: stale temp files pile up"; exit 1; fi
if [[ "$control" -eq 0 ]]; then echo "FAIL: the control never broke a file: the test cannot detect failures"; exit 1; fi
echo ok
