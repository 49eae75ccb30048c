-- The lesson runner's edges (issue 23) below the terminal: wrapping what a
-- step prints to the terminal's width (wrap.lua), which editor `e` opens and
-- what it says (editor.lua), ember's line editor driven through its read
-- function, work folders and the snapshot of what a run wrote (fs.lua).
-- The learner's walk through a terminal is tests/examples/test_lesson_edges_tty.sh.

local T = require "ember.test"
local wrap = require "ember.lesson.wrap"
local editor = require "ember.lesson.editor"
local fs = require "ember.lesson.fs"

-- A writer into a table instead of a file.
local function sink()
  local parts = {}
  return {write = function(self, s) parts[#parts + 1] = s return self end,
          text = function() return table.concat(parts) end}
end

T.test("wrap: long lines continue on the next line, short ones are untouched", function()
  local out = sink()
  local w = wrap.writer(20, out)
  w("short\n")
  w(string.rep("x", 30))
  w("\n")
  local text = out.text()
  T.eq(text, "short\n" .. string.rep("x", 20) .. "\n  ↪ " .. string.rep("x", 10) .. "\n")
  for line in text:gmatch("[^\n]+") do T.ok(utf8.len(line) <= 20, line) end
end)

T.test("wrap: a tab that crosses the edge breaks the line; escapes and UTF-8 take one column each", function()
  local out = sink()
  local w = wrap.writer(20, out)
  w("aaaaaaaaaaaaaaaaa\tbbb\n")        -- 17 columns; the tab would go to column 24
  T.eq(out.text(), "aaaaaaaaaaaaaaaaa\n  ↪ bbb\n")
  out = sink()
  w = wrap.writer(20, out)
  w("aaaaaaaaaaaaaaa\tbbb\n")          -- 15 columns; the tab to 16 fits
  T.eq(out.text(), "aaaaaaaaaaaaaaa\tbbb\n")
  out = sink()
  w = wrap.writer(20, out)
  w("\27[31m" .. string.rep("é", 20) .. "\27[0m\n")
  T.eq(out.text(), "\27[31m" .. string.rep("é", 20) .. "\27[0m\n", "exactly 20 columns: no break")
  -- a line written in pieces counts across the pieces
  out = sink()
  w = wrap.writer(20, out)
  for _ = 1, 5 do w("abcdefg") end
  T.eq(out.text(), "abcdefgabcdefgabcdef\n  ↪ gabcdefgabcdefg")
end)

T.test("wrap: a line breaks at its last blank when there is one", function()
  local out = sink()
  local w = wrap.writer(20, out)
  w("tensor(1.5000)    tensor(0.5000)\n")
  T.eq(out.text(), "tensor(1.5000)   \n  ↪ tensor(0.5000)\n")
  for line in out.text():gmatch("[^\n]+") do T.ok(utf8.len(line) <= 20, line) end
end)

T.test("editor: how to leave each editor is said before it opens", function()
  T.ok(editor.how_to_leave("vi"):find(":wq", 1, true))
  T.ok(editor.how_to_leave("/usr/bin/vim -u NONE"):find(":q!", 1, true))
  T.ok(editor.how_to_leave("nano"):find("Ctrl-X", 1, true))
  T.ok(editor.how_to_leave("code --wait"):find("save the file", 1, true))
end)

T.test("editor: ember's line editor edits, inserts, appends, deletes, restores, leaves", function()
  local said = {}
  local function run(code, original, inputs)
    local k = 0
    local ui = {say = function(...) said[#said + 1] = table.concat({...}) end,
                read = function() k = k + 1 return inputs[k] end}
    return editor.builtin(code, original, ui)
  end
  -- without a terminal a line edit reads the replacement line
  T.eq(run("a = 1\nb = 2\n", "a = 1\nb = 2\n", {"2", "b = 3", "w"}), "a = 1\nb = 3\n")
  T.eq(run("a = 1\n", "a = 1\n", {"i 1", "z = 0", "a", "c = 2", "", "d 2", "w"}), "z = 0\nc = 2\n")
  T.eq(run("mine()\n", "lesson()\n", {"o", "w"}), "lesson()\n", "o puts the original back")
  T.eq(run("a = 1\n", "a = 1\n", {"d 1", "q"}), nil, "q leaves without saving")
  T.eq(run("a = 1\n", "a = 1\n", {}), nil, "end of input leaves without saving")
  said = {}
  T.eq(run("a = 1\n", "a = 1\n", {"9", "zz", "w"}), "a = 1\n")
  local text = table.concat(said, "\n")
  T.ok(text:find("There is no line 9", 1, true), text)
  T.ok(text:find("w saves and leaves", 1, true), text)
end)

T.test("fs: work folders under XDG_DATA_HOME; a snapshot sees what a run wrote", function()
  local root = fs.work_root()
  local data = os.getenv("XDG_DATA_HOME")
  if data and data ~= "" then T.eq(root, fs.absolute(data .. "/ember/work")) end
  T.ok(root:match("/ember/work$"), root)
  local dir = assert(fs.tempdir())
  fs.write(dir .. "/old.txt", "x")
  local before = fs.snapshot(dir)
  fs.write(dir .. "/sub/new.png", "y")
  local changed = fs.changed(before, fs.snapshot(dir))
  T.eq(#changed, 1)
  T.eq(changed[1], "sub/new.png")
  fs.remove_tree(dir)
end)

T.run()
