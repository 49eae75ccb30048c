#!/usr/bin/env bash
# Crash safety: a process saving checkpoints in a loop is killed with SIGKILL
# at random moments, 200 times; after every kill the checkpoint must load and
# be consistent. The control — the same loop writing the file in place — must
# leave an unloadable file, which proves this test can fail: it is killed until
# it breaks one (at most 200 times).
#
# Each kill lands 0-80 ms after the loop has begun saving (save_loop.lua
# creates PATH.started right before its first save), not after the process
# start: start-up takes longer than that under ASan or on a loaded machine.
#
# The loops run and are killed through kill_lib.sh; a loop that outlives
# its test stops by itself (save_loop.lua).
set -uo pipefail
ember="$1"
kills=${EMBER_CRASH_KILLS:-200}
control_max=${EMBER_CRASH_CONTROL_KILLS:-200}
loop=tests/examples/save_loop.lua
source tests/examples/kill_lib.sh   # $tmp, fail, start_loop, kill_loop, until_fails

loads() {   # loads PATH: true when the checkpoint at PATH loads and is consistent
  "$ember" run "$loop" "$1" check >/dev/null 2>"$tmp/check.log" </dev/null
}

start_saver() {   # start_saver PATH MODE: returns once the loop has begun saving
  start_loop "$1.started" "$2" "$ember" run "$loop" "$1" "$2"
}

seed() {   # seed PATH: leaves a complete checkpoint at PATH (written by torch.save)
  start_saver "$1" atomic
  local deadline=$((SECONDS + start_timeout))
  until loads "$1"; do
    ((SECONDS < deadline)) || fail "no loadable checkpoint after ${start_timeout}s: $(cat "$tmp/check.log")"
    sleep 0.05
  done
  kill_loop
}

killed_file_loads() {   # killed_file_loads PATH MODE: one random kill; true when PATH still loads
  start_saver "$1" "$2"
  kill_loop 80
  loads "$1"
}

# Atomic saves: no kill may leave a broken checkpoint.
path="$tmp/atomic.pt"
seed "$path"   # a first complete checkpoint, so there is always one to protect
bad=0 first_bad=
for ((i = 1; i <= kills; i++)); do
  if ! killed_file_loads "$path" atomic; then
    bad=$((bad + 1))
    [[ -n "$first_bad" ]] || first_bad="kill $i: $(cat "$tmp/check.log")"
    seed "$path"   # a complete checkpoint again, for the next kills
  fi
done
leftovers=$(find "$tmp" -name '*.tmp*' | wc -l)
echo "atomic saves: $kills SIGKILLs, $bad unloadable checkpoints, $leftovers temp files left"
[[ "$bad" -eq 0 ]] || fail "atomic saves lost a checkpoint ($first_bad)"
# a killed save leaves its temp file; the next save of the same file removes it
[[ "$leftovers" -le 1 ]] || fail "stale temp files pile up"

# The control: in-place writes, killed until one leaves a broken checkpoint.
path="$tmp/inplace.pt"
seed "$path"
until_fails "$control_max" killed_file_loads "$path" inplace
if [[ "$failed_at" -eq 0 ]]; then
  fail "the control (in-place writes) never broke a file in $control_max SIGKILLs: the test cannot detect failures"
fi
echo "control (in-place writes): SIGKILL $failed_at left an unloadable checkpoint"
echo ok
