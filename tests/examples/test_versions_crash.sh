#!/usr/bin/env bash
# Crash safety of versions.save {overwrite = true}: a process overwriting one
# version in a loop (alternating two models) is killed with SIGKILL at random
# moments; after every kill, versions.list must show the version and
# versions.load must load it with its hash verified, holding one of the two
# models' weights — the old or the new, never none. Run with renameat2's
# atomic exchange and with the two-rename fallback (repaired by recovery on
# list/load); the hidden folders killed saves leave must not pile up (the
# next save removes those of dead processes). The control — removing the old
# version before saving the new one — is killed until it loses the version
# (at most 100 times), which proves the test can fail.
#
# Each kill lands 0-150 ms after the loop has begun saving (versions_loop.lua
# creates BASE.started right before its loop), not after the process start:
# start-up takes longer than that under ASan or on a loaded machine (the
# loops run and are killed through kill_lib.sh).
set -uo pipefail
ember="$1"
kills=${EMBER_VERSIONS_KILLS:-30}
control_max=${EMBER_VERSIONS_CONTROL_KILLS:-100}
loop=tests/examples/versions_loop.lua
source tests/examples/kill_lib.sh   # $tmp, fail, start_loop, kill_loop, until_fails

check() { "$ember" run "$loop" "$1" check >/dev/null 2>"$tmp/check.err" </dev/null; }
heal() {   # one good version for the next round
  "$ember" run "$loop" "$1" heal >"$tmp/heal.log" 2>&1 </dev/null || fail "heal: $(cat "$tmp/heal.log")"
}

killed_version_survives() {   # killed_version_survives BASE MODE: one random kill; true when the version is intact
  start_loop "$1.started" "$2" "$ember" run "$loop" "$1" "$2"
  kill_loop 150
  check "$1"
}

bad=0
for mode in exchange fallback; do
  n=$kills
  [[ $mode == fallback ]] && n=$((kills / 2))
  base="$tmp/$mode"
  heal "$base"   # a first complete version, so there is always one to protect
  lost=0
  for ((i = 1; i <= n; i++)); do
    if ! killed_version_survives "$base" "$mode"; then
      lost=$((lost + 1))
      echo "  after kill $i ($mode): $(cat "$tmp/check.err")"
      heal "$base"
    fi
  done
  echo "overwrite ($mode): $n SIGKILLs, $lost times the version was missing or bad"
  bad=$((bad + lost))
done
hidden=$(find "$tmp/exchange" "$tmp/fallback" -mindepth 1 -maxdepth 1 -name '.*' | wc -l)
echo "hidden folders left by killed saves: $hidden"
[[ "$bad" -eq 0 ]] || fail "an overwrite lost the version"
# a killed save leaves its hidden folder; the next save tidies those of dead processes
[[ "$hidden" -le 2 ]] || fail "hidden folders of killed saves pile up"

# The control: remove, then save; killed until it loses the version.
base="$tmp/inplace"
heal "$base"
until_fails "$control_max" killed_version_survives "$base" inplace
[[ "$failed_at" -ne 0 ]] || fail "the control never lost the version in $control_max SIGKILLs: the test cannot detect failures"
echo "control (remove, then save): SIGKILL $failed_at lost the version"
echo ok
