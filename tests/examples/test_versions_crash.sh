#!/usr/bin/env bash
# Crash safety of versions.save {overwrite = true}: a process overwriting one
# version in a loop (alternating two models) is killed with SIGKILL at random
# moments; after every kill, versions.list must show the version and
# versions.load must load it with its hash verified, holding one of the two
# models' weights — the old or the new, never none. Run with renameat2's
# atomic exchange and with the two-rename fallback (repaired by recovery on
# list/load); the hidden folders killed saves leave must not pile up (the
# next save removes those of dead processes). The control — removing the old
# version before saving the new one — must lose the version, which proves the
# test can fail.
set -uo pipefail
ember="$1"
kills=${EMBER_VERSIONS_KILLS:-30}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
loop=tests/examples/versions_loop.lua

check() { "$ember" run "$loop" "$1" check >/dev/null 2>"$tmp/check.err"; }

torture() {   # torture MODE N -> prints the number of kills after which the version was missing or bad
  local mode=$1 n=$2 bad=0 base="$tmp/$1"
  local pid
  "$ember" run "$loop" "$base" heal     # a first complete version, so there is always one to protect
  for ((i = 0; i < n; i++)); do
    "$ember" run "$loop" "$base" "$mode" & pid=$!
    sleep "0.$((RANDOM % 15 + 5))"
    kill -9 $pid; wait $pid 2>/dev/null
    if ! check "$base"; then
      bad=$((bad + 1))
      [[ "$mode" != inplace ]] && echo "  after kill $i ($mode): $(cat "$tmp/check.err")" >&2
      "$ember" run "$loop" "$base" heal                   # one good version for the next round
    fi
  done
  echo "$bad"
}

exchange=$(torture exchange "$kills")
fallback=$(torture fallback $((kills / 2)))
control=$(torture inplace 10)
hidden=$(find "$tmp/exchange" "$tmp/fallback" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)
echo "overwrite (atomic exchange): $kills SIGKILLs, $exchange times the version was missing or bad"
echo "overwrite (two renames + recovery): $((kills / 2)) SIGKILLs, $fallback times the version was missing or bad"
echo "control (remove, then save): 10 SIGKILLs, $control times the version was missing or bad"
echo "hidden folders left by killed saves: $hidden"
if [[ "$exchange" -ne 0 || "$fallback" -ne 0 ]]; then echo "FAIL: an overwrite lost the version"; exit 1; fi
# a killed save leaves its hidden folder; the next save tidies those of dead processes
if [[ "$hidden" -gt 2 ]]; then echo "FAIL: hidden folders of killed saves pile up"; exit 1; fi
if [[ "$control" -eq 0 ]]; then echo "FAIL: the control never lost the version: the test cannot detect failures"; exit 1; fi
echo ok
