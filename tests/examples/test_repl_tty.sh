#!/usr/bin/env bash
# The REPL on a real terminal, driven through tmux (send keys, read the
# screen): expression echo, multi-line definitions, error recovery, tab
# completion of globals/fields/methods/paths, history recall across two
# sessions, help through `?x`, Ctrl-C stopping a busy loop, a loop inside a
# coroutine, a long kernel and a training loop (and the latency of each,
# printed), Ctrl-D leaving. Skips (77) without tmux.
set -uo pipefail
ember="$(realpath "$1")"
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed"; exit 77; }

tmp=$(mktemp -d)
sock="ember-repl-test-$$-1"
tm() { tmux -L "$sock" "$@"; }
cleanup() {
  tmux -L "ember-repl-test-$$-1" kill-server 2>/dev/null
  tmux -L "ember-repl-test-$$-2" kill-server 2>/dev/null
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "---- screen ----" >&2
  tm capture-pane -t repl -p -e 2>/dev/null | cat -v >&2
  exit 1
}

# start [NO_COLOR value]
start() {
  tm new-session -d -s repl -x 120 -y 50 \
    "cd '$tmp' && env XDG_STATE_HOME='$tmp/state' TERM=xterm-256color NO_COLOR='${1:-}' '$ember'; echo '[exited]'; sleep 30"
  wait_for 'ember>' 10 || fail "no prompt"
}
screen() { tm capture-pane -t repl -p -S -200; }
# wait_for REGEX SECONDS: poll the screen until REGEX shows up
wait_for() {
  local deadline=$(( $(date +%s%N) + ${2:-5} * 1000000000 ))
  while (( $(date +%s%N) < deadline )); do
    screen | grep -Eq -- "$1" && return 0
    sleep 0.05
  done
  return 1
}
count() { screen | grep -Ec -- "$1"; }
send() { tm send-keys -t repl "$@"; }
# type TEXT literally (tmux would read a trailing ';' as its own separator)
type_text() { tm send-keys -t repl -l "$1"; }
typeln() { type_text "$1"; send Enter; }
# Ctrl-C and the time until a new prompt appears after the "Interrupted" line
interrupt_latency() {
  local before; before=$(count '^Interrupted')
  local t0; t0=$(date +%s%N)
  send C-c
  local deadline=$(( t0 + 5000000000 ))
  while (( $(date +%s%N) < deadline )); do
    if (( $(count '^Interrupted') > before )); then
      echo $(( ($(date +%s%N) - t0) / 1000000 ))
      return 0
    fi
    sleep 0.01
  done
  return 1
}

mkdir -p "$tmp/state" "$tmp/checkpoints"
touch "$tmp/checkpoints/model_epoch10.pt"
start

# colours on a terminal: a green prompt, red errors
tm capture-pane -t repl -p -e | grep -q $'\e\[32m' || fail "no colour on a terminal"

# echo of expressions and a quiet statement
typeln '6 * 7'
wait_for '^42$' || fail "expression echo"
typeln 'x = torch.ones(2, 2);'
typeln 'x:sum()'
wait_for '^tensor\(4\.\)$' || fail "tensor echo"

# multi-line function definition on a .. prompt
typeln 'function double(a)'
wait_for '^\.\.' || fail "continuation prompt"
typeln '  return a * 2'
typeln 'end'
typeln 'double(21)'
wait_for '^42$' && (( $(count '^42$') == 2 )) || fail "multi-line function"

# errors are reported and the REPL goes on
typeln 'error("boom")'
wait_for 'error: stdin:1: boom' || fail "error message"
typeln 'torch.ones(2, 3):matmul(torch.ones(4, 5))'
wait_for 'matmul: shapes \[2, 3\] and \[4, 5\]' || fail "engine error"
typeln 'print("still alive")'
wait_for '^still alive$' || fail "REPL died after an error"

# completion: globals, fields, methods through metatables, paths in strings
type_text 'torch.ra'
send Tab Tab
wait_for 'torch\.randperm' || fail "completion of torch.ra"
send C-u
typeln 'model = nn.Sequential(nn.Linear(4, 2))'
type_text 'model:sta'
send Tab
wait_for 'ember> model:state_dict' || fail "completion of model:sta"
send C-u
type_text 'x:resh'
send Tab
wait_for 'ember> x:reshape' || fail "completion of a tensor method"
send C-u
type_text 'torch.load("checkp'
send Tab
wait_for 'torch\.load\("checkpoints/' || fail "path completion inside a string"
send Tab
wait_for 'checkpoints/model_epoch10\.pt' || fail "path completion of a file"
send C-u

# help
typeln '?torch.zeros'
wait_for 'zeros\(' || fail "?torch.zeros shows the docstring"

# Ctrl-C: a busy Lua loop, a loop inside a coroutine, a long kernel, a training
# loop. Each statement prints a line once it runs, and Ctrl-C is sent only
# after that line shows: sent earlier (a loaded machine may not have read the
# line yet), it would reach the prompt instead of the statement.
typeln 'print("busy " .. "loop"); while true do end'
wait_for '^busy loop$' || fail "busy loop did not start"
ms=$(interrupt_latency) || fail "Ctrl-C did not stop while true do end"
echo "Ctrl-C latency, busy loop: ${ms} ms"
wait_for 'ember>$' || fail "no prompt after Ctrl-C"

typeln 'co = coroutine.wrap(function() print("in " .. "coroutine"); while true do end end)'
typeln 'co()'
wait_for '^in coroutine$' || fail "coroutine did not start"
ms=$(interrupt_latency) || fail "Ctrl-C did not stop a loop inside a coroutine"
echo "Ctrl-C latency, coroutine: ${ms} ms"

typeln 'big = torch.ones(4000, 4000)'
typeln 'print("kernel " .. "loop"); for i = 1, 1000000 do big = big:mul(1.0001):matmul(big):clamp(0, 1) end'
wait_for '^kernel loop$' || fail "kernel loop did not start"
ms=$(interrupt_latency) || fail "Ctrl-C did not stop a long kernel loop"
echo "Ctrl-C latency, kernels: ${ms} ms"

typeln 'net = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))'
typeln 'opt = optim.Adam(net:parameters(), {lr = 1e-3}); xs = torch.randn(64, 784); ys = torch.randint(0, 10, {64})'
typeln 'steps = 0; while true do opt:zero_grad(); local loss = F.cross_entropy(net(xs), ys); loss:backward(); opt:step(); steps = steps + 1; if steps == 1 then print("training " .. "loop") end end'
wait_for '^training loop$' || fail "training loop did not start"
ms=$(interrupt_latency) || fail "Ctrl-C did not stop a training loop"
echo "Ctrl-C latency, training loop: ${ms} ms"
typeln 'steps > 0'
wait_for '^true$' || fail "training loop state after Ctrl-C"
typeln 'print("after interrupts")'
wait_for '^after interrupts$' || fail "REPL unusable after Ctrl-C"

# Ctrl-D leaves; the history file holds what was typed
send C-d
wait_for '^\[exited\]$' || fail "Ctrl-D did not leave"
grep -q '^double(21)$' "$tmp/state/ember/history" || fail "history file not written"
tm kill-server 2>/dev/null
sock="ember-repl-test-$$-2"     # a fresh tmux server: no race with the one shutting down

# a second session (NO_COLOR set: no colour codes at all) recalls the
# first one's lines with Up
start 1
tm capture-pane -t repl -p -e | grep -q $'\e\\[' && fail "colour codes despite NO_COLOR"
send Up
wait_for 'ember> print\("after interrupts"\)' || fail "history recall across sessions (Up)"
send Enter
wait_for '^after interrupts$' || fail "recalled line runs"
send C-d
echo "REPL terminal test passed"
