-- ember.lesson.editor — editing a lesson step (the runner's `e` key):
-- which editor opens ($VISUAL, else $EDITOR, else nano when installed, else
-- ember's own line editor; the value `ember` in $VISUAL/$EDITOR asks for
-- ember's), the sentence that says how to save and leave it, shown before
-- it opens, and ember's line editor itself: the step's lines numbered, a
-- line edited pre-filled (libedit, rl.edit_line), lines inserted, appended,
-- deleted, the lesson's original code put back. libedit offers no
-- multi-line buffer through the API ember uses, so it works a line at a
-- time. Without a terminal (pipes, tests) it reads plain lines.
-- Not here: running the edited step (runner.lua).
local sys = require "ember.sys"

local editor = {}

local leave = {
  vi = "type :wq and Enter to save and leave, :q! and Enter to leave without saving",
  nano = "Ctrl-O then Enter saves, Ctrl-X leaves",
  emacs = "Ctrl-X Ctrl-S saves, Ctrl-X Ctrl-C leaves",
  micro = "Ctrl-S saves, Ctrl-Q leaves",
}
leave.vim, leave.nvim, leave.view, leave.pico = leave.vi, leave.vi, leave.vi, leave.nano

--- editor.how_to_leave(cmd) -> a sentence: how to save and leave that editor
function editor.how_to_leave(cmd)
  local prog = (cmd:match("^%s*(%S+)") or cmd):match("([^/]+)$") or cmd
  return leave[prog] or "save the file, then close the editor"
end

--- editor.choose() -> {cmd = shell command, from = "VISUAL"|"EDITOR"|nil,
-- how = sentence} or {builtin = true, from = ...}
function editor.choose()
  for _, var in ipairs({"VISUAL", "EDITOR"}) do
    local v = os.getenv(var)
    if v and v:match("%S") then
      if v:match("^%s*ember%s*$") then return {builtin = true, from = var} end
      return {cmd = v, from = var, how = editor.how_to_leave(v)}
    end
  end
  if os.execute("command -v nano >/dev/null 2>&1") then
    return {cmd = "nano", how = editor.how_to_leave("nano")}
  end
  return {builtin = true}
end

local function split(code)
  local lines = {}
  for line in (code:gsub("\n$", "") .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
  return lines
end

editor.help = table.concat({
  "Commands: N edits line N (shown for editing: ←/→ move, Ctrl-U clears, Enter keeps it)",
  "  i N inserts a line before line N · a adds lines at the end (an empty line stops)",
  "  d N deletes line N · o puts back the lesson's original code · l lists",
  "  w saves and leaves · q leaves without saving"}, "\n")

--- editor.builtin(code, original, ui) -> the new code, or nil (left without saving)
-- ui = {say = function(...), paint = painter, read = function(prompt) -> line|nil}
function editor.builtin(code, original, ui)
  local say, paint = ui.say, ui.paint or function(_, s) return s end
  local tty = sys.isatty("stdin")
  local ok, rl = pcall(require, "ember.readline")
  -- one line, pre-filled with `text` on a terminal; a plain line otherwise
  local function ask(prompt, text)
    if tty and ok and rl.edit_line then return rl.edit_line(prompt, text or "") end
    return ui.read(prompt)
  end
  local lines = split(code)
  local function list()
    for k, line in ipairs(lines) do say(paint("dim", string.format("%3d", k)) .. "  " .. line) end
    if #lines == 0 then say(paint("dim", "  (no lines: a adds some)")) end
  end
  list()
  say(paint("dim", editor.help))
  while true do
    local cmd = ui.read("edit> ")
    if cmd == nil then return nil end
    cmd = cmd:match("^%s*(.-)%s*$")
    local op, num = cmd:match("^(%a?)%s*(%d*)$")
    local n = tonumber(num)
    if op == "" and n then
      if lines[n] then
        local new = ask(string.format("%3d  ", n), lines[n])
        if new then lines[n] = new end
      else
        say("There is no line ", tostring(n), " (1 to ", tostring(#lines), ").")
      end
    elseif op == "i" and n then
      if n >= 1 and n <= #lines + 1 then
        local new = ask(string.format("%3d  ", n), "")
        if new then table.insert(lines, n, new) end
      else
        say("i N inserts before line N (1 to ", tostring(#lines + 1), ").")
      end
    elseif op == "a" and not n then
      while true do
        local new = ask(string.format("%3d  ", #lines + 1), "")
        if not new or new == "" then break end
        lines[#lines + 1] = new
      end
    elseif op == "d" and n then
      if lines[n] then table.remove(lines, n) list()
      else say("There is no line ", tostring(n), ".") end
    elseif op == "o" and not n then
      lines = split(original)
      say(paint("dim", "The lesson's original code is back:"))
      list()
    elseif op == "l" and not n then
      list()
    elseif op == "w" and not n then
      return table.concat(lines, "\n") .. "\n"
    elseif op == "q" and not n then
      return nil
    else
      say(editor.help)
    end
  end
end

return editor
