#!/usr/bin/env bash
# test_lesson_tty.sh EMBER — walks the fixture lesson tests/lessons/01-basics.md
# in a real terminal (a tmux pane): a hint, Enter, an edit through a scripted
# $EDITOR, the REPL inside the lesson and back, quit, then `ember lesson`
# resumes at the saved step and finishes. Exit 77 (skipped) without tmux.
set -euo pipefail
ember=$(realpath "${1:?usage: test_lesson_tty.sh path/to/ember}")
. "$(dirname "$0")/tty_lib.sh"
tty_init ember-lesson-tty

root=$(cd "$(dirname "$0")/../.." && pwd)

# The scripted editor: replaces the step with code of its own.
cat >"$work/editor.sh" <<'EOF'
#!/bin/sh
printf 'for i = 1, 2 do print("edited by the script " .. i) end\n' > "$1"
EOF
chmod +x "$work/editor.sh"

envs="EMBER_LESSONS_DIR=$root/tests/lessons XDG_STATE_HOME=$work/state XDG_DATA_HOME=$work/data EMBER_EXERCISES_DIR=$work/ex"
envs="$envs EDITOR=$work/editor.sh EMBER_HISTORY=$work/history TERM=xterm-256color"

start() { tty_start 100 "cd $work && env $envs $ember lesson $*"; }   # start "ember lesson ARGS"

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
