#!/usr/bin/env bash
# test_lesson_tty.sh EMBER — walks the fixture lesson tests/lessons/01-basics.md
# in a real terminal (a tmux pane): a hint, Enter, an edit through a scripted
# $EDITOR, the REPL inside the lesson and back, quit, then `ember lesson`
# resumes at the saved step and finishes. Exit 77 (skipped) without tmux.
set -euo pipefail
ember=$(realpath "${1:?usage: test_lesson_tty.sh path/to/ember}")
command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed; skipping"; exit 77; }

root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /tmp/ember-lesson-tty.XXXXXX)
sock=""
runs=0
cleanup() { [ -n "$sock" ] && tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$work"; }
trap cleanup EXIT

# The scripted editor: replaces the step with code of its own.
cat >"$work/editor.sh" <<'EOF'
#!/bin/sh
printf 'for i = 1, 2 do print("edited by the script " .. i) end\n' > "$1"
EOF
chmod +x "$work/editor.sh"

envs="EMBER_LESSONS_DIR=$root/tests/lessons XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data EMBER_EXERCISES_DIR=$work/ex"
envs="$envs EDITOR=$work/editor.sh EMBER_HISTORY=$work/history TERM=xterm-256color"

start() {   # start "ember lesson ARGS" in a fresh tmux server
  [ -n "$sock" ] && { tmux -L "$sock" kill-server >/dev/null 2>&1 || true; }
  runs=$((runs + 1))
  sock="ember-lesson-tty-$$-$runs"
  tmux -L "$sock" -f /dev/null new-session -d -s t -x 100 -y 50 \
    "cd $work && env $envs $ember lesson $*; echo '[exited '\$?']'; sleep 30"
}
screen() { tmux -L "$sock" capture-pane -p -J -S -2000 -t t; }
keys() { tmux -L "$sock" send-keys -t t "$@"; }
wait_for() {   # wait_for TEXT [COUNT]: until TEXT is on screen (COUNT times)
  local want=${2:-1}
  for _ in $(seq 1 150); do
    if [ "$(screen | grep -cF -- "$1" || true)" -ge "$want" ]; then return 0; fi
    sleep 0.2
  done
  echo "FAIL: '$1' (x$want) never appeared. Screen:"
  screen
  exit 1
}

start basics
wait_for "step 1 of 3 · make"
wait_for "[Enter] run  e edit  r repl  h hint  p pytorch  s skip  q quit"
keys h Enter
wait_for "Hint:"
wait_for "on a table of numbers."
keys Enter
wait_for "✓ check passed"
wait_for "step 2 of 3 · step-2"
keys e Enter
wait_for "Opening $work/editor.sh (\$EDITOR): save the file, then close the editor."
wait_for "Your edited step"
wait_for "edited by the script 2"
wait_for "✓ done"
wait_for "step 3 of 3 · double"
keys r Enter
wait_for "lesson> "
keys 'print("x sums to " .. x:sum():item())' Enter
wait_for "x sums to 6"
keys C-d
wait_for "Back in the lesson."
keys q Enter
wait_for "Progress saved at step 3 of 3"
wait_for "[exited 0]"

grep -q '"step": "double"' "$work/state/ember/progress.json" || {
  echo "FAIL: progress.json does not point at step 3:"; cat "$work/state/ember/progress.json"; exit 1; }

start
wait_for "Continuing at step 3 of 3."
wait_for "step 3 of 3 · double"
keys Enter
wait_for "✓ Lesson complete: Basics"
wait_for "[exited 0]"
grep -q '"completed": true' "$work/state/ember/progress.json" || {
  echo "FAIL: the lesson is not marked completed"; cat "$work/state/ember/progress.json"; exit 1; }
echo "lesson tty walk: ok"
