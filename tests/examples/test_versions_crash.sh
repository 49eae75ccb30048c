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
# start-up takes longer than that under ASan or on a loaded machine. Every
# loop runs with its output in a file (never on this script's stdout) and is
# killed and waited for on every path, the EXIT trap included.
set -uo pipefail
ember="$1"
kills=${EMBER_VERSIONS_KILLS:-30}
control_max=${EMBER_VERSIONS_CONTROL_KILLS:-100}
start_timeout=${EMBER_CRASH_START_TIMEOUT:-120}
loop=tests/examples/versions_loop.lua
tmp=$(mktemp -d)
saver=   # pid of the running loop, if any

cleanup() {
  if [[ -n "$saver" ]]; then kill -9 "$saver" 2>/dev/null; wait "$saver" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*"; exit 1; }

check() { "$ember" run "$loop" "$1" check >/dev/null 2>"$tmp/check.err" </dev/null; }
heal() {   # one good version for the next round
  "$ember" run "$loop" "$1" heal >"$tmp/heal.log" 2>&1 </dev/null || fail "heal: $(cat "$tmp/heal.log")"
}

killed_version_survives() {   # killed_version_survives BASE MODE: one random kill; true when the version is intact
  local base=$1 mode=$2 delay rc
  rm -f "$base.started"
  "$ember" run "$loop" "$base" "$mode" >"$tmp/saver.log" 2>&1 </dev/null &
  saver=$!
  local deadline=$((SECONDS + start_timeout))
  until [[ -e "$base.started" ]]; do
    if ! kill -0 "$saver" 2>/dev/null; then
      wait "$saver" 2>/dev/null; saver=
      fail "the $mode loop exited before saving: $(cat "$tmp/saver.log")"
    fi
    ((SECONDS < deadline)) || fail "the $mode loop did not begin saving within ${start_timeout}s"
    sleep 0.005
  done
  printf -v delay '0.%03d' $((RANDOM % 151))
  sleep "$delay"
  kill -9 "$saver" 2>/dev/null
  wait "$saver" 2>/dev/null
  rc=$?
  saver=
  [[ $rc -eq 137 ]] || fail "the $mode loop exited with status $rc before it was killed: $(cat "$tmp/saver.log")"
  check "$base"
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
broke=0
for ((i = 1; i <= control_max; i++)); do
  if ! killed_version_survives "$base" inplace; then broke=$i; break; fi
done
[[ "$broke" -ne 0 ]] || fail "the control never lost the version in $control_max SIGKILLs: the test cannot detect failures"
echo "control (remove, then save): SIGKILL $broke lost the version"
echo ok
