# tty_lib.sh — sourced (not run: no test_ prefix, so the examples glob
# leaves it out) by the tests that walk `ember lesson` as a learner in a
# real terminal, a tmux pane: test_lesson_tty.sh, test_lesson_twin_tty.sh,
# test_lesson_edges_tty.sh. It gives them a work folder removed on exit,
# a fresh tmux server per run, and the screen reading they all use.
# Not here: what each test types and expects (nor test_repl_tty.sh, which
# polls by time and by regex).
#
#   . "$(dirname "$0")/tty_lib.sh"
#   tty_init ember-lesson-tty     # exit 77 (skipped) without tmux; sets $work
#   tty_start 100 "cd $work && $ember lesson basics"
#   wait_for "step 1 of 3"; keys Enter

# tty_init NAME: skip (77) without tmux; $work = a fresh folder, removed with
# the tmux server on exit; NAME also names the tmux sockets.
tty_init() {
  command -v tmux >/dev/null 2>&1 || { echo "tmux is not installed; skipping"; exit 77; }
  tty_name=$1
  work=$(mktemp -d "/tmp/$tty_name.XXXXXX")
  sock=""
  runs=0
  trap tty_cleanup EXIT
}
tty_cleanup() { [ -n "$sock" ] && tmux -L "$sock" kill-server >/dev/null 2>&1; rm -rf "$work"; }

# tty_start WIDTH COMMAND: COMMAND in a fresh tmux server's pane, WIDTH x 50;
# when it ends the pane shows "[exited STATUS]" (for wait_for) and stays.
tty_start() {
  [ -n "$sock" ] && { tmux -L "$sock" kill-server >/dev/null 2>&1 || true; }
  runs=$((runs + 1))
  sock="$tty_name-$$-$runs"
  tmux -L "$sock" -f /dev/null new-session -d -s t -x "$1" -y 50 "$2; echo '[exited '\$?']'; sleep 30"
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
