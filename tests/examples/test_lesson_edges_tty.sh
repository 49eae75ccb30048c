#!/usr/bin/env bash
# test_lesson_edges_tty.sh EMBER — the lesson runner's edges (issue 23),
# driven as a learner drives them, in a real terminal (a tmux pane), on a
# fixture lesson set kept in a git checkout that plays the learner's clone:
#  1. skipping steps 1 and 2, quitting and coming back: the replay runs the
#     skipped steps too, so step 3 finds what they define; a step failing on
#     a missing global names the earlier step that defines it;
#  2. the lesson runs in its work folder ($HOME/.local/share/ember/work/ID),
#     printed at the start and in `lesson list`; the clone stays clean;
#     `ember lesson test` asserts a clean tree (and fails a lesson that
#     writes into it; notes when outside git);
#  3. an exercise's files stay in its work folder, their paths printed;
#  4. `e` without $VISUAL/$EDITOR/nano opens ember's line editor, says how to
#     save and leave, edits a line pre-filled; `o` puts the original back;
#  5. r then Ctrl-D shows the step again; a finished lesson stays done when
#     gone through again with skips; Practice is listed once; a long output
#     line is wrapped to the terminal's width.
# Exit 77 (skipped) without tmux or git.
set -euo pipefail
ember=$(realpath "${1:?usage: test_lesson_edges_tty.sh path/to/ember}")
. "$(dirname "$0")/tty_lib.sh"
tty_init ember-lesson-edges
command -v git >/dev/null 2>&1 || { echo "git is not installed; skipping"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

# A PATH without nano (and without any editor): only what ember itself runs.
mkdir -p "$work/bin" "$work/home"
for tool in sh bash rm pwd readlink timeout sleep cat git mkdir ls env; do
  p=$(command -v "$tool" || true)
  [ -n "$p" ] && ln -s "$p" "$work/bin/$tool"
done

# The learner's clone: a git checkout with the fixture lessons in it.
clone="$work/clone"
mkdir -p "$clone/lessons/exercises"
cat >"$clone/lessons/manifest.lua" <<'EOF'
return {
  {id = "edges", file = "01-edges.md", title = "Edges"},
  {id = "deps", file = "02-deps.md", title = "Dependencies"},
}
EOF
cat >"$clone/lessons/01-edges.md" <<'EOF'
# Edges

A model first.

```lua id=model
Model = {scale = 3}
print("made the model")
```

```output
made the model
```

Then data.

```lua id=data
xs = {1, 2, 3}
```

```lua id=use
local f = assert(io.open("out.txt", "w")) f:write("x") f:close()
print(Model.scale * #xs)
```

```output
9
```

```lua id=wide
print(string.rep("abcdefghij", 17))
```

## Practice

Run `ember exercise check write-file`.
EOF
cat >"$clone/lessons/02-deps.md" <<'EOF'
# Dependencies

```lua id=helper
function Helper() return 42 end
```

```lua id=call
print(Helper())
```

```output
42
```
EOF
cat >"$clone/lessons/exercises/write-file.lua" <<'EOF'
-- title: Write a file
-- lesson: edges
-- BEGIN SOLUTION
local f = assert(io.open("result.txt", "w")) f:write("42\n") f:close()
print("wrote result.txt")
-- END SOLUTION
local g = io.open("result.txt")
check(g ~= nil, "result.txt should exist")
g:close()
EOF
git -C "$clone" init -q
git -C "$clone" add -A
git -C "$clone" -c user.name=t -c user.email=t@t commit -qm fixture

envs="HOME=$work/home PATH=$work/bin EMBER_LESSONS_DIR=$clone/lessons XDG_STATE_HOME=$work/state"
envs="$envs EMBER_EXERCISES_DIR=$work/ex EMBER_HISTORY=$work/history TERM=xterm-256color"
workdir="$work/home/.local/share/ember/work"

start() {   # start "ember lesson ARGS" in the clone
  tty_start 100 "cd $clone && env -u VISUAL -u EDITOR -u XDG_DATA_HOME $envs $ember lesson $*"
}
clean_clone() {
  local st
  st=$(git -C "$clone" status --porcelain --untracked-files=all)
  [ -z "$st" ] || fail "the learner's clone is not clean ($1):"$'\n'"$st"
}
plain() { (cd "$clone" && env -u VISUAL -u EDITOR -u XDG_DATA_HOME $envs "$ember" "$@"); }

# --- 1 and 2: skip, skip, quit; the work folder -----------------------------
start edges
wait_for "Files this lesson writes go to ~/.local/share/ember/work/edges/"
wait_for "step 1 of 4 · model"
keys s Enter
wait_for "Skipped step 1 (model). Its code ran quietly (1 line of output hidden)"
wait_for "step 2 of 4 · data"
keys s Enter
wait_for "Skipped step 2 (data)."
wait_for "step 3 of 4 · use"
keys q Enter
wait_for "[exited 0]"

start
wait_for "Re-running steps 1 to 2"
wait_for "step 3 of 4 · use"
keys Enter
wait_for "✓ done"
wait_for "saved: ~/.local/share/ember/work/edges/out.txt"
screen | grep -qF "nil value" && fail "step 3 failed after skipping steps 1 and 2: $(screen)"
[ -f "$workdir/edges/out.txt" ] || fail "out.txt is not in the work folder $workdir/edges"
# --- 5: a long line is wrapped to the terminal's 100 columns ----------------
wait_for "step 4 of 4 · wide"
keys Enter
wait_for "✓ Lesson complete: Edges"
long=$(screen | LC_ALL=C.UTF-8 grep -E '^.{101,}' | head -3 || true)
[ -z "$long" ] || fail "lines longer than the terminal:"$'\n'"$long"
wait_for "↪ "
# --- 5: the Practice list once ----------------------------------------------
wait_for "[exited 0]"
n=$(screen | grep -c "write-file" || true)
[ "$n" -eq 1 ] || fail "the exercise is listed $n times at the end of the lesson:"$'\n'"$(screen)"
clean_clone "after the lesson"

list=$(plain lesson list)
echo "$list" | grep -qF "done (2 of 4 steps skipped)" || fail "lesson list: $list"
echo "$list" | grep -qF "~/.local/share/ember/work/<lesson-id>/" || fail "lesson list shows no work folder: $list"

# --- 5: r then Ctrl-D shows the step again; re-visit with skips stays done --
start edges
wait_for "You have completed this lesson"
wait_for "step 1 of 4 · model"
keys r Enter
wait_for "lesson> "
keys C-d
wait_for "Back in the lesson."
wait_for "step 1 of 4 · model" 2
for _ in 1 2 3 4; do keys s Enter; sleep 0.3; done
wait_for "✓ Lesson complete: Edges"
wait_for "[exited 0]"
list=$(plain lesson list)
echo "$list" | grep -qF "done (2 of 4 steps skipped)" || fail "a re-visit with skips changed the status: $list"

# --- 4 and 1: ember's line editor, o, and the step a missing global needs ----
start deps
wait_for "step 1 of 2 · helper"
keys e Enter
wait_for "Editing in ember's line editor (\$VISUAL and \$EDITOR are not set and nano is not installed"
wait_for "w saves and leaves, q leaves without saving"
wait_for "edit> "
keys "d 1" Enter
wait_for "(no lines: a adds some)"
keys a Enter
wait_for "  1  "
keys "Other = 1" Enter
keys Enter
wait_for "edit> " 2
keys w Enter
wait_for "Your edited step"
wait_for "✓ done"
wait_for "step 2 of 2 · call"
keys Enter
wait_for "attempt to call a nil value (global 'Helper')"
wait_for "\`Helper\` is defined by step 1 (helper)."
# edit the line pre-filled: Ctrl-E goes to its end, we add to it
keys e Enter
wait_for "edit> "
keys 1 Enter
wait_for "  1  print(Helper())"
keys C-e " error('mine')" Enter
keys w Enter
wait_for "print(Helper()) error('mine')"
wait_for "o original"
keys o Enter
wait_for "The lesson's own code is back for this step:"
keys s Enter
wait_for "Skipped step 2 (call)."
wait_for "It failed:"
wait_for "✓ Lesson complete: Dependencies"
wait_for "[exited 0]"
clean_clone "after the second lesson"

# --- 3: an exercise's files stay, with their paths -------------------------
mkdir -p "$work/ex"
sed -e '/BEGIN SOLUTION/d' -e '/END SOLUTION/d' "$clone/lessons/exercises/write-file.lua" >"$work/ex/write-file.lua"
out=$(plain exercise check write-file) || fail "the exercise check failed: $out"
echo "$out" | grep -qF "~/.local/share/ember/work/exercises/write-file/result.txt" ||
  fail "the check does not print where result.txt is: $out"
[ -f "$workdir/exercises/write-file/result.txt" ] || fail "result.txt is gone after the check"
clean_clone "after the exercise"

# --- 2: `ember lesson test` asserts a clean source tree ---------------------
out=$(plain lesson test) || fail "lesson test failed: $out"
echo "$out" | grep -qF "source tree clean afterwards" || fail "lesson test did not check the tree: $out"
cat >"$clone/lessons/03-litter.md" <<'EOF'
# Litter

```lua
local dir = lesson_file("x"):gsub("/assets/x$", "")
local f = assert(io.open(dir .. "/litter.txt", "w")) f:write("x") f:close()
```
EOF
git -C "$clone" add lessons/03-litter.md
git -C "$clone" -c user.name=t -c user.email=t@t commit -qm litter
if out=$(plain lesson test "$clone/lessons/03-litter.md"); then fail "a lesson writing into the tree passed: $out"; fi
echo "$out" | grep -qF "is not clean afterwards" || fail "no clean-tree failure: $out"
echo "$out" | grep -qF "lessons/litter.txt" || fail "the stray file is not named: $out"
rm -f "$clone/lessons/litter.txt"
mkdir -p "$work/nogit"
cp "$clone/lessons/manifest.lua" "$clone/lessons/0"[12]*.md "$work/nogit/"
out=$(cd "$work" && env -u XDG_DATA_HOME $envs EMBER_LESSONS_DIR="$work/nogit" "$ember" lesson test edges) ||
  fail "lesson test outside git failed: $out"
echo "$out" | grep -qF "not in a git checkout; the clean-source-tree check is skipped" || fail "no note outside git: $out"
echo "lesson edges tty walk: ok"
