# kill_lib.sh — sourced (not run: no test_ prefix, so the examples glob
# leaves it out) by the crash tests, test_crash_save.sh and
# test_versions_crash.sh: it runs one saving loop at a time in the
# background and SIGKILLs it a random moment after the loop has begun
# saving (the loop creates a marker file right before its first save), not
# after the process start, which is slow under ASan or on a loaded machine.
# The loop's output goes to a file, never to the test's stdout, and the
# running loop is killed and waited for on every path (the EXIT trap).
# Sets $tmp (a folder removed on exit) and fail; waiting for a loop to begin
# is bounded by EMBER_CRASH_START_TIMEOUT seconds (default 120). Not here:
# what the loops save and how a test checks what a kill left.
start_timeout=${EMBER_CRASH_START_TIMEOUT:-120}
tmp=$(mktemp -d)
loop_pid=   # the running loop, if any

kill_lib_cleanup() {
  if [[ -n "$loop_pid" ]]; then kill -9 "$loop_pid" 2>/dev/null; wait "$loop_pid" 2>/dev/null; fi
  rm -rf "$tmp"
}
trap kill_lib_cleanup EXIT
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 143' TERM

fail() { echo "FAIL: $*"; exit 1; }

# start_loop MARKER NAME COMMAND...: runs COMMAND in the background and
# returns once it has created MARKER (NAME names it in failures).
start_loop() {
  local marker=$1 name=$2
  shift 2
  rm -f "$marker"
  "$@" >"$tmp/loop.log" 2>&1 </dev/null &
  loop_pid=$!
  local deadline=$((SECONDS + start_timeout))
  until [[ -e "$marker" ]]; do
    if ! kill -0 "$loop_pid" 2>/dev/null; then
      wait "$loop_pid" 2>/dev/null; loop_pid=
      fail "the $name loop exited before saving: $(cat "$tmp/loop.log")"
    fi
    ((SECONDS < deadline)) || fail "the $name loop did not begin saving within ${start_timeout}s"
    sleep 0.005
  done
}

# kill_loop [MAX_MS]: SIGKILLs the running loop after a random 0..MAX_MS ms
# (default 0); it must not have stopped by itself.
kill_loop() {
  local ms=$((RANDOM % (${1:-0} + 1))) delay rc
  printf -v delay '%d.%03d' $((ms / 1000)) $((ms % 1000))
  sleep "$delay"
  kill -9 "$loop_pid" 2>/dev/null
  wait "$loop_pid" 2>/dev/null
  rc=$?
  loop_pid=
  [[ $rc -eq 137 ]] || fail "the loop exited with status $rc before it was killed: $(cat "$tmp/loop.log")"
}

# until_fails N COMMAND...: runs COMMAND (one kill and a check) up to N
# times, stopping at the first that fails; sets failed_at to that run's
# number, or 0 when all N passed. For the controls, which must fail.
until_fails() {
  local n=$1 i
  shift
  failed_at=0
  for ((i = 1; i <= n; i++)); do
    if ! "$@"; then failed_at=$i; return; fi
  done
}
