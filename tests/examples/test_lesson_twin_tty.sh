#!/usr/bin/env bash
# test_lesson_twin_tty.sh EMBER — a learner at a real terminal (a tmux pane)
# meets a ```predict block (right guess in another accepted form, then a
# wrong choice), presses `p` to see the step beside its PyTorch twin (two
# columns in a wide pane, the Python below in a narrow one), and finds the
# right first guesses in the progress file and in `ember lesson list`; a
# second session asks again but keeps the first guesses. Exit 77 without tmux.
set -euo pipefail
ember=$(realpath "${1:?usage: test_lesson_twin_tty.sh path/to/ember}")
. "$(dirname "$0")/tty_lib.sh"
tty_init ember-twin-tty

mkdir -p "$work/lessons"
cat >"$work/lessons/manifest.lua" <<'LUA'
return {{id = "guess", file = "guess.md", title = "Guessing"}}
LUA
cat >"$work/lessons/guess.md" <<'MD'
# Guessing

```predict
question: What shape has `a + b` when a is 2x3 and b has 3 elements?
answer: torch.Size([2, 3])
accept: [2, 3] | (2, 3) | 2x3
why: Broadcasting lines the shapes up from the right.
```

```lua id=shape
a, b = torch.zeros(2, 3), torch.ones(3)
print((a + b).shape)
```

```python
a, b = torch.zeros(2, 3), torch.ones(3)
print((a + b).shape)
```

```predict
question: Which index does argmax give for the tie in {1, 5, 5}?
choices: the first 5 | the last 5
answer: the first 5
```

```lua id=tie
print(torch.tensor({1, 5, 5}):argmax():item())
```

```python
print(torch.tensor([1, 5, 5]).argmax().item())
```
MD

envs="EMBER_LESSONS_DIR=$work/lessons XDG_STATE_HOME=$work/state EMBER_EXERCISES_DIR=$work/ex"
envs="$envs EMBER_HISTORY=$work/history TERM=xterm-256color"

start() {   # start WIDTH "ember lesson ARGS"
  local width=$1; shift
  tty_start "$width" "cd $work && env -u COLUMNS $envs $ember lesson $*"
}
fail() { echo "FAIL: $*"; screen; exit 1; }

start 120 guess
wait_for "step 1 of 2 · shape"
wait_for "Predict before you run: What shape has"
wait_for "your guess> "
keys "(2,3)" Enter
wait_for "✓ right: torch.Size([2, 3])"
wait_for "Broadcasting lines the shapes up from the right."
wait_for "p pytorch"
keys p Enter
wait_for "│ Python (PyTorch)"
wait_for "  print((a + b).shape)                    │ print((a + b).shape)"
keys Enter
wait_for "torch.Size([2, 3])" 2
wait_for "step 2 of 2 · tie"
wait_for "  b) the last 5"
keys b Enter
wait_for "✗ not quite: the answer is the first 5"
keys q Enter
wait_for "Progress saved at step 2 of 2"
wait_for "[exited 0]"

grep -q '"shape": "right"' "$work/state/ember/progress.json" || fail "the right guess is not recorded"
grep -q '"tie": "wrong"' "$work/state/ember/progress.json" || fail "the wrong guess is not recorded"
list=$(env -u COLUMNS EMBER_LESSONS_DIR=$work/lessons XDG_STATE_HOME=$work/state "$ember" lesson list)
echo "$list" | grep -q "predictions: 1 of 2 right first time" || { echo "FAIL: lesson list: $list"; exit 1; }

# a narrow pane: the twin goes below; the question comes again, the first guess stays
start 50
wait_for "Continuing at step 2 of 2."
wait_for "your guess> "
keys a Enter
wait_for "✓ right: the first 5"
keys p Enter
wait_for "Python (PyTorch)"
screen | grep -qF "│ Python" && fail "the narrow pane should show the twin below, not beside"
wait_for "  print(torch.tensor([1, 5, 5]).argmax().item())"
keys Enter
wait_for "✓ Lesson complete: Guessing"
wait_for "[exited 0]"
grep -q '"tie": "wrong"' "$work/state/ember/progress.json" || fail "a later right guess replaced the first one"
echo "lesson predict and twin tty walk: ok"
