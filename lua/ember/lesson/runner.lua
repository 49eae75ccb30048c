-- ember.lesson.runner — walking through a lesson interactively: the prose up
-- to a cell, the cell (highlighted), then a prompt
--   [Enter] run  e edit  r repl  h hint  p pytorch  s skip  q quit
-- Enter runs the cell (its output, then its check: ✓, or the message and we
-- stay on the cell — never past a failure), e edits it (editor.lua: $VISUAL,
-- $EDITOR, nano or ember's line editor) and runs the edit, o puts the
-- lesson's code back, r opens the REPL in the lesson's environment, h shows
-- the hint, p shows the cell's PyTorch twin beside it, s skips (the lesson's
-- code for the step still runs, quietly, so later steps find what it
-- defines), q quits. A cell with a ```predict block first asks its question
-- (once per session); the first guess is recorded in the progress file.
-- Progress is saved after every step. Input is read a line at a time, so it
-- also works when stdin is a pipe. The lesson runs in its work folder
-- (fs.work_dir), never where ember started.
-- Not here: the progress file (progress.lua), running code (env.lua).
local env = require "ember.lesson.env"
local fs = require "ember.lesson.fs"
local manifest = require "ember.lesson.manifest"
local parse = require "ember.lesson.parse"
local predict = require "ember.lesson.predict"
local progress = require "ember.lesson.progress"
local render = require "ember.lesson.render"
local editor = require "ember.lesson.editor"
local wrap = require "ember.lesson.wrap"
local sys = require "ember.sys"

local runner = {}

local keys_line = "[Enter] run  e edit  r repl  h hint  p pytorch  s skip  q quit"

local function say(...) io.write(...) io.write("\n") io.stdout:flush() end

-- Reads one line (nil at the end of input). Ctrl-C at the prompt gives "?"
-- (the keys are shown again; it never runs the step).
local function read_line(prompt)
  local ok, rl = pcall(require, "ember.readline")
  if ok and sys.isatty("stdin") then
    local line = rl.readline(prompt)
    if line == false then io.write("\n") return "?" end
    return line
  end
  io.write(prompt)
  io.stdout:flush()
  local line = io.read("l")
  if line and not sys.isatty("stdin") then io.write(line, "\n") end   -- a transcript for pipes
  return line
end

---------------------------------------------------------------------------
-- One session on one lesson
---------------------------------------------------------------------------
local Session = {}
Session.__index = Session

function Session:save()
  local ok, err = progress.save(self.state)
  if not ok and not self.save_warned then
    self.save_warned = true
    io.stderr:write("ember lesson: ", err, " (your progress will not be kept)\n")
  end
end

function Session:show_cell(i)
  local cell = self.lesson.cells[i]
  local n = #self.lesson.cells
  local head = string.format("── step %d of %d · %s ", i, n, cell.id)
  local rule = string.rep("─", math.max(3, math.min(render.width(), 72) - (utf8.len(head) or #head)))
  say(self.paint("dim", head .. rule))
  say(render.code(cell.edited or cell.code, "lua", self.paint, "  "))
end

-- The step before `before` whose code assigns the global `name` (the last
-- one), or nil: `name = ...`, `a, name = ...`, `function name(`.
function Session:defining_step(name, before)
  for k = before - 1, 1, -1 do
    for line in (self.lesson.cells[k].code .. "\n"):gmatch("([^\n]*)\n") do
      if not line:match("^%s*local%s") then
        local fname = line:match("^%s*function%s+([%a_][%w_]*)")
        if fname == name then return k end
        local lhs = line:match("^%s*([%a_][%w_%s,]*)=")
        if lhs and not line:match("^%s*[%a_][%w_%s,]*==") then
          for v in lhs:gmatch("[%a_][%w_]*") do if v == name then return k end end
        end
      end
    end
  end
  return nil
end

-- When a step fails on a missing global that an earlier step defines, says
-- which step (and why it may not have run).
function Session:explain_missing(r, i)
  local name = r.message and tostring(r.message):match("global '([%a_][%w_]*)'")
  if not name or rawget(self.env, name) ~= nil or _G[name] ~= nil then return end
  local k = self:defining_step(name, i)
  if not k then return end
  local c = self.lesson.cells[k]
  local why = ""
  if self.ran[k] == false then why = ", which failed when it ran"
  elseif self.ran[k] == nil then why = ", which has not run in this session" end
  say(self.paint("fail", string.format("  `%s` is defined by step %d (%s)%s.", name, k, c.id, why)) ..
    " q, then `ember lesson`, re-runs the steps before this one as the lesson wrote them.")
end

function Session:show_failure(r, i)
  local p = self.paint
  if r.kind == "syntax" then
    say(p("fail", "✗ this step does not compile: ") .. render.clean(r.message))
  elseif r.kind == "interrupted" then
    say(p("fail", "✗ interrupted (Ctrl-C)"))
  elseif r.stage == "output" then
    say(p("fail", "✗ the output is not what the lesson expects:"))
    say(render.clean(r.report))
  elseif r.kind == "check" then
    say(p("fail", "✗ " .. render.clean(r.message)))
  elseif r.stage == "check" then
    say(p("fail", "✗ the check raised an error: ") .. render.clean(r.message))
  else
    say(p("fail", "✗ error: ") .. render.clean(r.message))
  end
  if i and r.stage == "run" then self:explain_missing(r, i) end
  say(p("dim", "Try again: e edits the step, r opens a REPL to experiment, h shows a hint, s skips it."))
end

function Session:run_cell(i)
  local cell = self.lesson.cells[i]
  local before = self.work and fs.snapshot(self.work)
  local r = env.run_cell(self.env, self.env_state, cell,
    {echo = self.echo, interruptible = true, ignore_output = cell.edited ~= nil})
  if r.stage ~= "run" or r.ok then self.ran[i] = true end
  -- where the files the step saved are (plots, models): full paths
  for _, rel in ipairs(before and fs.changed(before, fs.snapshot(self.work)) or {}) do
    say(self.paint("dim", "  saved: " .. fs.short(self.work .. "/" .. rel)))
  end
  if not r.ok then
    self:show_failure(r, i)
    return false
  end
  if r.output_mismatch then
    say(self.paint("dim", "(your edited step printed something else than the lesson's version; that is fine)"))
  end
  say(self.paint("ok", cell.check and "✓ check passed" or "✓ done"))
  return true
end

function Session:edit_cell(i)
  local cell = self.lesson.cells[i]
  local before = cell.edited or cell.code
  local ed = editor.choose()
  local after
  if ed.builtin then
    say(self.paint("dim", ed.from and "Editing in ember's line editor ($" .. ed.from .. " is `ember`)." or
      "Editing in ember's line editor ($VISUAL and $EDITOR are not set and nano is not installed; " ..
      "set $EDITOR to use your own). w saves and leaves, q leaves without saving."))
    after = editor.builtin(before, cell.code, {say = say, paint = self.paint, read = read_line})
    if not after then
      say("Left without saving; the step is unchanged.")
      return false
    end
  else
    local dir, derr = fs.tempdir()
    if not dir then say("cannot make a temporary folder: ", derr) return false end
    local path = dir .. "/" .. cell.id .. ".lua"
    fs.write(path, before)
    say(self.paint("dim", "Opening " .. ed.cmd .. (ed.from and (" ($" .. ed.from .. ")") or "") .. ": " ..
      ed.how .. ". Your version runs when you leave; o puts the lesson's code back."))
    io.stdout:flush()
    local ok = os.execute(ed.cmd .. " " .. fs.quote(path))
    after = fs.read(path)
    fs.remove_tree(dir)
    if not ok then
      say(self.paint("fail", "The editor (" .. ed.cmd .. ") failed; the step is unchanged. Set $EDITOR to your editor."))
      return false
    end
  end
  if not after or after:gsub("%s+$", "") == before:gsub("%s+$", "") then
    say("No changes. Press Enter to run the step as it is.")
    return false
  end
  cell.edited = after
  say(self.paint("dim", "Your edited step (it replaces the lesson's version for this session):"))
  self:show_cell(i)
  return true
end

function Session:repl()
  local ok, repl = pcall(require, "ember.repl")
  if not ok or type(repl) ~= "table" or not repl.run then
    say("REPL not available.")
    return
  end
  say(self.paint("dim", "A REPL inside the lesson: its variables are here. Ctrl-D returns to the lesson."))
  local rok, err = pcall(repl.run, {env = self.env, prompt = "lesson> "})
  if not rok then say("the REPL stopped: ", tostring(err)) end
  say(self.paint("dim", "Back in the lesson."))
end

function Session:hint(i)
  local cell = self.lesson.cells[i]
  if not cell.hint or not cell.hint:match("%S") then
    say("No hint for this step. r opens a REPL where you can try things out.")
    return
  end
  io.write(self.paint("bold", "Hint:"), "\n", render.markdown(cell.hint, {color = self.color}))
  io.stdout:flush()
end

-- The cell beside its PyTorch twin (key p).
function Session:show_twin(i)
  local cell = self.lesson.cells[i]
  if not cell.python then
    say("This step has no PyTorch version in the lesson.")
    return
  end
  local twinview = require "ember.lesson.twinview"
  say(twinview.render(cell.edited or cell.code, cell.python, twinview.columns(), self.paint))
end

-- Asks step i's ```predict question; the first guess ever is recorded
-- (rec.predicts[id] = "right" | "wrong"). Returns false at the end of input.
function Session:ask_predict(i)
  local cell = self.lesson.cells[i]
  local p = cell.predict
  self.asked[i] = true
  say(self.paint("bold", "Predict before you run: ") .. render.clean(predict.prompt_text(p)))
  local line = read_line("your guess> ")
  if line == nil then return false end
  if not line:match("%S") or line == "?" then   -- "?": Ctrl-C at the prompt
    say(self.paint("dim", "No guess this time; run the step and see."))
    return true
  end
  local right = predict.check(p, line)
  self.rec.predicts = self.rec.predicts or {}
  if self.rec.predicts[cell.id] == nil then
    self.rec.predicts[cell.id] = right and "right" or "wrong"
    self:save()
  end
  if right then
    say(self.paint("ok", "✓ right: ") .. render.clean(p.answer))
  else
    say(self.paint("fail", "✗ not quite: ") .. "the answer is " .. render.clean(p.answer))
  end
  if p.why then io.write(render.markdown(p.why, {color = self.color})) io.stdout:flush() end
  return true
end

-- Marks step i and moves the saved position to the next one.
function Session:advance(i, how)
  local cells = self.lesson.cells
  -- a step done once stays done (going through a finished lesson again and
  -- skipping never turns it into "skipped")
  if how == "done" or self.rec.steps[cells[i].id] ~= "done" then self.rec.steps[cells[i].id] = how end
  self.rec.step = cells[i + 1] and cells[i + 1].id or nil
  if not cells[i + 1] then self.rec.completed = true end
  self:save()
end

-- Runs the cells before `upto` quietly, to rebuild the lesson's state.
function Session:replay(upto)
  if upto <= 1 then return end
  say(self.paint("dim", string.format("Re-running steps 1 to %d to restore the lesson's state...", upto - 1)))
  for i = 1, upto - 1 do
    -- skipped steps too: later steps need what they define
    local r = self:run_quietly(i)
    if not r.ok then
      say(self.paint("fail", string.format("step %d (%s) failed when re-run: ", i, self.lesson.cells[i].id)) ..
        render.clean(r.message))
    end
  end
end

-- Runs the lesson's own code of step i without showing its output (a
-- skipped step, the replay); records whether it ran.
function Session:run_quietly(i)
  local cell = self.lesson.cells[i]
  local r = env.run_code(self.env, self.env_state, cell.code, "=" .. cell.id, {interruptible = true})
  self.ran[i] = r.ok
  return r
end

function Session:finish()
  local p = self.paint
  -- the Practice section is listed below with the exercises' titles, so it
  -- is left out of the prose here (it would show twice)
  local blocks, level = {}, nil
  for _, b in ipairs(self.lesson.tail) do
    if b.type == "heading" and level and b.level <= level then level = nil end
    if b.type == "heading" and not level and #self.lesson.practice > 0 and b.text:match("^%s*Practice") then
      level = b.level
    end
    if not level then blocks[#blocks + 1] = b end
  end
  local tail = render.blocks(blocks, {color = self.color})
  if tail ~= "" then io.write("\n", tail) end
  local n, skipped = #self.lesson.cells, {}
  for _, c in ipairs(self.lesson.cells) do
    if self.rec.steps[c.id] == "skipped" then skipped[#skipped + 1] = c.id end
  end
  say("")
  say(p("ok", "✓ Lesson complete: ") .. p("bold", self.lesson.title))
  if #skipped > 0 then
    say(string.format("  %d of %d steps done; skipped: %s (`ember lesson %s` to go through again)",
      n - #skipped, n, table.concat(skipped, ", "), self.entry.id))
  else
    say(string.format("  all %d steps done", n))
  end
  if #self.lesson.practice > 0 then
    say("")
    say(p("bold", "Practice") .. " — write the code yourself; your copies go to " ..
      fs.short(fs.exercises_dir()) .. ":")
    local exfile = require "ember.lesson.exfile"
    for _, id in ipairs(self.lesson.practice) do
      local ex = exfile.read(self.list.dir .. "/exercises/" .. id .. ".lua")
      say(string.format("  ember exercise check %-24s %s", id, ex and ex.title or ""))
    end
    say("  (then `ember exercise hint ID` for a hint, `ember exercise watch ID` to re-check on every save)")
  end
  local nxt = self.list[self.entry.index + 1]
  say("")
  if nxt then
    say(string.format("Next: `ember lesson next` (lesson %d, %s)", nxt.index, nxt.title))
  else
    say("That was the last lesson. Well done! `ember lesson list` shows where you stand.")
  end
end

-- The main loop; returns the exit code.
function Session:loop(start)
  local cells = self.lesson.cells
  local i = start
  local show_prose = true
  while i <= #cells do
    local cell = cells[i]
    if show_prose then
      local text = render.blocks(cell.prose, {color = self.color})
      if text ~= "" then io.write("\n", text, "\n") end
      self:show_cell(i)
      show_prose = false
      if cell.predict and not self.asked[i] and not self:ask_predict(i) then
        say("")
        say(string.format("Progress saved at step %d of %d. `ember lesson` continues here.", i, #cells))
        self:save()
        return 0
      end
    end
    say(self.paint("dim", cell.edited and keys_line:gsub("  r repl", "  o original  r repl") or keys_line))
    local line = read_line("> ")
    if line == nil then
      say("")
      say(string.format("Progress saved at step %d of %d. `ember lesson` continues here.", i, #cells))
      self:save()
      return 0
    end
    local key = line:match("^%s*(.-)%s*$"):lower()
    if key == "" or key == "run" then
      if self:run_cell(i) then
        self:advance(i, "done")
        i, show_prose = i + 1, true
      end
    elseif key == "e" or key == "edit" then
      if self:edit_cell(i) and self:run_cell(i) then
        self:advance(i, "done")
        i, show_prose = i + 1, true
      end
    elseif key == "r" or key == "repl" then
      self:repl()
      self:show_cell(i)
    elseif key == "h" or key == "hint" then
      self:hint(i)
    elseif key == "p" or key == "pytorch" or key == "python" then
      self:show_twin(i)
    elseif key == "o" or key == "original" then
      if cell.edited then
        cell.edited = nil
        say(self.paint("dim", "The lesson's own code is back for this step:"))
        self:show_cell(i)
      else
        say("This step is the lesson's own code already (e edits it).")
      end
    elseif key == "s" or key == "skip" then
      local r = self:run_quietly(i)
      local lines = select(2, (r.output or ""):gsub("\n", "\n"))
      if r.output and r.output ~= "" and not r.output:match("\n$") then lines = lines + 1 end
      say(self.paint("dim", "Skipped step " .. i .. " (" .. cell.id .. "). Its code ran quietly" ..
        (lines > 0 and string.format(" (%d line%s of output hidden)", lines, lines == 1 and "" or "s") or "") ..
        ", so the steps after it have what it defines."))
      if not r.ok then
        say(self.paint("fail", "  It failed: ") .. render.clean(r.message))
      end
      self:advance(i, "skipped")
      i, show_prose = i + 1, true
    elseif key == "q" or key == "quit" or key == "exit" then
      self:save()
      say(string.format("Progress saved at step %d of %d. `ember lesson` continues here.", i, #cells))
      return 0
    else
      say("Keys: Enter runs the step, e edits it, o puts the lesson's code back after an edit, r opens a REPL, " ..
        "h shows a hint, p shows it in PyTorch, s skips, q quits.")
    end
  end
  self:finish()
  return 0
end

---------------------------------------------------------------------------
-- Entry points
---------------------------------------------------------------------------

--- runner.open(list, entry[, state]) -> exit code
function runner.open(list, entry, state)
  local warn
  if not state then state, warn = progress.load() end
  if warn then io.stderr:write("ember lesson: ", warn, "\n") end
  local lesson, err = parse.file(entry.path, entry.file)
  if not lesson then
    io.stderr:write("ember lesson: cannot open lesson ", entry.id, ": ", tostring(err), "\n")
    return 1
  end
  local color = render.color_on()
  local paint = render.painter(color)
  local E, env_state = env.new()
  local self = setmetatable({list = list, entry = entry, lesson = lesson, state = state, color = color,
    paint = paint, env = E, env_state = env_state, asked = {}, ran = {},
    echo = wrap.writer(render.term_width())}, Session)
  local rec = progress.lesson(state, entry.id)
  self.rec = rec
  local hash = progress.hash(lesson.source)

  -- the title as the page's heading, with the lesson's number
  local head = string.format("Lesson %d of %d · %s", entry.index, #list, lesson.title)
  io.write(render.blocks({{type = "heading", level = 1, text = head}}, {color = color}))
  for _, c in ipairs(lesson.cells) do
    for k = #c.prose, 1, -1 do
      local b = c.prose[k]
      if b.type == "heading" and b.line == lesson.title_line then table.remove(c.prose, k) end
    end
  end
  local missing = manifest.missing(entry)
  if missing then say(paint("fail", "Note: this lesson " .. missing .. "; some steps may fail.")) end

  local start = 1
  if rec.step then
    for i, c in ipairs(lesson.cells) do if c.id == rec.step then start = i end end
  end
  if rec.hash and rec.hash ~= hash then
    say(paint("dim", "This lesson has changed since you last worked on it."))
    local found = false
    for _, c in ipairs(lesson.cells) do if c.id == rec.step then found = true end end
    if rec.step and not found then
      say(paint("dim", "Your step is gone from it, so it starts again from step 1."))
      start = 1
    end
  end
  if not rec.step and rec.completed then
    -- it stays done: rec.completed and the steps done are kept
    say(paint("dim", "You have completed this lesson; here it is again from the start."))
    start = 1
  end
  if start > 1 then say(paint("dim", string.format("Continuing at step %d of %d.", start, #lesson.cells))) end
  rec.hash = hash
  rec.step = lesson.cells[start].id
  state.current = entry.id
  self:save()
  -- the lesson's files (saved models, plots) go to its work folder
  local work, werr = fs.work_dir(entry.id)
  local entered, cerr = false, werr
  if work then entered, cerr = fs.enter(work) end
  if entered then
    self.work = work
    say(paint("dim", "Files this lesson writes go to " .. fs.short(work) .. "/"))
  else
    say(paint("fail", "Note: cannot use the work folder (" .. tostring(cerr) .. "); files go to the current folder."))
  end
  say("")
  say(paint("dim", keys_line:gsub("%[Enter%] run", "Enter runs a step") ..
    " — one key, then Enter."))
  self:replay(start)
  return self:loop(start)
end

local function is_done(state, entry)
  local rec = state.lessons[entry.id]
  return rec and rec.completed and not rec.step
end

--- runner.resume(list): the current lesson, or the next unfinished one
function runner.resume(list)
  local state, warn = progress.load()
  if warn then io.stderr:write("ember lesson: ", warn, "\n") end
  if #list == 0 then
    io.stderr:write("ember lesson: the manifest lists no lessons\n")
    return 1
  end
  local entry = state.current and manifest.find(list, state.current)
  if not entry then
    if next(state.lessons) == nil then
      say("Welcome to ember! Lessons are short steps of Lua you run one at a time.")
    end
    return runner.open(list, list[1], state)
  end
  if is_done(state, entry) then
    for k = 1, #list do
      local e = list[(entry.index + k - 1) % #list + 1]
      if not is_done(state, e) then return runner.open(list, e, state) end
    end
    say("You have completed every lesson! `ember lesson N` opens one again, `ember exercise list` " ..
      "shows the practice exercises.")
    return 0
  end
  return runner.open(list, entry, state)
end

--- runner.open_next(list): the lesson after the current one
function runner.open_next(list)
  local state, warn = progress.load()
  if warn then io.stderr:write("ember lesson: ", warn, "\n") end
  local cur = state.current and manifest.find(list, state.current)
  local entry = list[(cur and cur.index or 0) + 1]
  if not entry then
    say("That was the last lesson. `ember lesson list` shows them all.")
    return 0
  end
  return runner.open(list, entry, state)
end

return runner
