-- ember.lesson.exercise — `ember exercise ...`, the learner's practice:
--   ember exercise list           every exercise, its lesson and status, and
--                                 where the learner's copies live
--   ember exercise check ID       run the learner's copy (a starter is written
--                                 there on first use) and its checks
--   ember exercise hint ID        the exercise's hint
--   ember exercise reset ID [--yes]   put the starter back (asks first)
--   ember exercise watch [ID]     re-check on every save (polls every 0.5 s)
--   ember exercise solution ID    the reference solution, once you passed
-- Copies live in $EMBER_EXERCISES_DIR, else ~/ember-exercises/; a learner's
-- file is never overwritten except by reset. A check runs in the exercise's
-- work folder (fs.work_dir(id, "exercise")), kept, and lists what it wrote. Not here: the exercise file
-- format (exfile.lua), running code (spawn.lua, child.lua).
local exfile = require "ember.lesson.exfile"
local fs = require "ember.lesson.fs"
local manifest = require "ember.lesson.manifest"
local progress = require "ember.lesson.progress"
local render = require "ember.lesson.render"
local spawn = require "ember.lesson.spawn"
local sys = require "ember.sys"

local exercise = {}

local usage = [[
usage: ember exercise list
       ember exercise check ID       run your copy of exercise ID and its checks
       ember exercise hint ID        a hint
       ember exercise reset ID [--yes]   start again from the starter (asks first)
       ember exercise watch [ID]     re-check every time you save (Ctrl-C stops)
       ember exercise solution ID    the reference solution (after you passed)
]]

local function say(...) io.write(...) io.write("\n") io.stdout:flush() end
local function err(msg) io.stderr:write("ember exercise: ", msg, "\n") return 1 end

local function source_dir() return fs.lessons_dir() .. "/exercises" end
local function copy_path(id) return fs.exercises_dir() .. "/" .. id .. ".lua" end

-- All exercises in lesson order: list of {id, ex | nil, error, lesson entry}.
local function all_exercises()
  local list = manifest.load() or {}
  local order = {}
  for i, e in ipairs(list) do order[e.id] = i end
  local out = {}
  for _, id in ipairs(exfile.list(source_dir())) do
    local ex, perr = exfile.read(source_dir() .. "/" .. id .. ".lua")
    out[#out + 1] = {id = id, ex = ex, error = perr, order = ex and order[ex.lesson] or math.huge}
  end
  table.sort(out, function(a, b)
    if a.order ~= b.order then return a.order < b.order end
    return a.id < b.id
  end)
  return out, list
end

local function find(id)
  if not id then return nil, "which exercise? `ember exercise list` shows them" end
  if not id:match("^[%w][%w_%-]*$") then return nil, "'" .. id .. "' is not an exercise id" end
  local path = source_dir() .. "/" .. id .. ".lua"
  if not fs.exists(path) then
    return nil, "no exercise called '" .. id .. "'; `ember exercise list` shows them"
  end
  return exfile.read(path)
end

-- Writes the starter when the learner has no copy yet; returns its path, new.
local function ensure_copy(ex)
  local path = copy_path(ex.id)
  if fs.exists(path) then return path, false end
  local ok, werr = fs.write(path, exfile.starter(ex))
  if not ok then return nil, werr end
  return path, true
end

local function confirm(question)
  io.write(question, " [y/N] ")
  io.stdout:flush()
  local line = io.read("l")
  if line == nil then io.write("\n") end
  return line ~= nil and line:lower():match("^%s*y") ~= nil
end

local function record(update)
  local state, warn = progress.load()
  if warn then io.stderr:write("ember exercise: ", warn, "\n") end
  update(state)
  local ok, serr = progress.save(state)
  if not ok then io.stderr:write("ember exercise: ", serr, "\n") end
end

---------------------------------------------------------------------------
-- Commands
---------------------------------------------------------------------------
local commands = {}

function commands.list()
  local items, lessons = all_exercises()
  local state = progress.load()
  local paint = render.painter()
  say("Your exercise files: ", fs.short(fs.exercises_dir()), "/  (EMBER_EXERCISES_DIR moves them)")
  say("What a check writes:  ", fs.short(fs.work_root()), "/exercises/<id>/")
  say("")
  if #items == 0 then say("No exercises found in ", fs.short(source_dir())) return 0 end
  local by_id = {}
  for _, e in ipairs(lessons) do by_id[e.id] = e end
  local w = 4
  for _, it in ipairs(items) do w = math.max(w, #it.id) end
  for _, it in ipairs(items) do
    if not it.ex then
      say(string.format("  %-" .. w .. "s  %s", it.id, paint("fail", "error: " .. tostring(it.error))))
    else
      local rec = state.exercises[it.id]
      local st
      if rec and rec.passed then st = paint("ok", "passed")
      elseif fs.exists(copy_path(it.id)) then st = "started"
      else st = "not started" end
      local l = by_id[it.ex.lesson]
      local lesson = l and string.format("lesson %d", l.index) or ("lesson " .. tostring(it.ex.lesson))
      say(string.format("  %-" .. w .. "s  %-10s %-12s %s", it.id, lesson, st, it.ex.title))
    end
  end
  say("")
  say("`ember exercise check ID` writes your copy on first use and checks it.")
  return 0
end

-- Checks the learner's copy once; returns passed (boolean) or nil, error.
local function check_once(ex, quiet_header)
  local path, created = ensure_copy(ex)
  if not path then return nil, "cannot write your copy: " .. tostring(created) end
  local paint = render.painter()
  if created then
    say("Wrote the starter to ", fs.short(path), " — open it in your editor, fill in the TODOs, save,")
    say("then run `ember exercise check ", ex.id, "` again (or `ember exercise watch ", ex.id, "`).")
    say("")
  end
  -- it runs in its work folder, which is kept: what it writes stays there
  local work, werr = fs.work_dir(ex.id, "exercise")
  if not work then return nil, "cannot make the work folder: " .. tostring(werr) end
  if not quiet_header then
    say(paint("dim", "Checking " .. fs.short(path) .. " (its files go to " .. fs.short(work) .. "/) ..."))
  end
  local text = fs.read(path) or ""
  local tail = ex.check_tail:gsub("%s+$", "")
  local before = fs.snapshot(work)
  local r = spawn.run("exercise", path, {echo = true, name = fs.short(path), workdir = work})
  local wrote = fs.changed(before, fs.snapshot(work))
  if #wrote > 0 then
    say(paint("dim", "Your exercise wrote (kept in its work folder):"))
    for _, rel in ipairs(wrote) do say("  ", fs.short(work .. "/" .. rel)) end
  end
  if r.ok then
    say(paint("ok", "✓ " .. ex.id .. " passed") .. " — " .. ex.title)
    if tail ~= "" and not text:find(tail, 1, true) then
      say(paint("dim", "(note: the checks at the end of your file differ from the original ones)"))
    end
    say(paint("dim", "`ember exercise solution " .. ex.id .. "` shows the reference solution."))
    record(function(state) progress.exercise(state, ex.id).passed = true end)
    return true
  end
  if r.kind == "check" then
    say(paint("fail", "✗ not yet: ") .. render.clean(r.message))
  elseif r.kind == "syntax" then
    say(paint("fail", "✗ your file does not compile: ") .. render.clean(r.message))
  elseif r.kind == "crash" then
    say(paint("fail", "✗ the run did not finish: ") .. render.clean(r.message))
  else
    say(paint("fail", "✗ error: ") .. render.clean(r.message or "failed"))
  end
  say(paint("dim", "Edit " .. fs.short(path) .. " and check again; `ember exercise hint " .. ex.id ..
    "` gives a hint."))
  return false
end

function commands.check(args)
  local ex, ferr = find(args[2])
  if not ex then return err(ferr) end
  local passed, cerr = check_once(ex)
  if passed == nil then return err(cerr) end
  return passed and 0 or 1
end

function commands.hint(args)
  local ex, ferr = find(args[2])
  if not ex then return err(ferr) end
  if ex.hint == "" then say("This exercise has no hint; its title: ", ex.title) return 0 end
  io.write(render.painter()("bold", "Hint for " .. ex.id .. ":"), "\n", render.markdown(ex.hint))
  record(function(state)
    local rec = progress.exercise(state, ex.id)
    rec.hints = (rec.hints or 0) + 1
  end)
  return 0
end

function commands.reset(args)
  local ex, ferr = find(args[2])
  if not ex then return err(ferr) end
  local yes = args[3] == "--yes" or args[3] == "-y"
  local path = copy_path(ex.id)
  if fs.exists(path) and not yes and
     not confirm("Replace " .. fs.short(path) .. " with the starter? Your edits will be lost.") then
    say("Nothing changed.")
    return 1
  end
  local ok, werr = fs.write_atomic(path, exfile.starter(ex))
  if not ok then return err(werr) end
  record(function(state) state.exercises[ex.id] = nil end)
  say("Wrote a fresh starter to ", fs.short(path), ".")
  return 0
end

function commands.solution(args)
  local ex, ferr = find(args[2])
  if not ex then return err(ferr) end
  local state = progress.load()
  local rec = state.exercises[ex.id]
  if not (rec and rec.passed) and args[3] ~= "--force" then
    say("Pass the exercise first (`ember exercise check ", ex.id, "`), or add --force to see it now.")
    return 1
  end
  io.write(render.code(ex.solution, "lua", render.painter(), ""), "\n")
  return 0
end

-- The first exercise not passed yet (in lesson order), or nil.
local function next_unpassed(after)
  local items = all_exercises()
  local state = progress.load()
  local seen = after == nil
  for _, it in ipairs(items) do
    if seen and it.ex and not (state.exercises[it.id] and state.exercises[it.id].passed) then return it.ex end
    if it.id == after then seen = true end
  end
  return nil
end

function commands.watch(args)
  local ex, ferr
  local fixed = args[2] ~= nil
  if fixed then ex, ferr = find(args[2]) else ex = next_unpassed() end
  if not ex then
    if ferr then return err(ferr) end
    say("Every exercise has passed. `ember exercise list` shows them.")
    return 0
  end
  local tty = sys.isatty("stdout")
  -- for tests: stop after this many checks (a count, not a time, so a slow
  -- machine cannot make a test miss a save)
  local limit = tonumber(os.getenv("EMBER_WATCH_CHECKS") or "")
  local checks = 0
  -- the file's time is read before each check, so a save made while a
  -- check runs is seen and checked next
  local last
  local function run()
    checks = checks + 1
    last = sys.mtime(copy_path(ex.id))
    if tty then io.write("\27[H\27[2J") end
    say(render.painter()("dim", "Watching " .. fs.short(copy_path(ex.id)) .. " — save to re-check, Ctrl-C stops."))
    local passed = check_once(ex, true)
    if passed and not fixed then
      local nxt = next_unpassed(ex.id)
      if nxt then
        say("")
        say("Next exercise: ", nxt.id, " — ", nxt.title)
        ex = nxt
        last = sys.mtime(copy_path(ex.id))
        check_once(ex, true)
      end
    end
  end
  run()
  while not limit or checks < limit do
    local ok, how = os.execute("sleep 0.5")
    if not ok and how == "signal" then break end
    if sys.mtime(copy_path(ex.id)) ~= last then run() end
  end
  return 0
end

--- exercise.main(args) -> exit code
function exercise.main(args)
  args = args or {}
  fs.set_exe(args.exe)
  local cmd = args[1] or "list"
  if cmd == "-h" or cmd == "--help" or cmd == "help" then io.write(usage) return 0 end
  if commands[cmd] then return commands[cmd](args) end
  if fs.exists(source_dir() .. "/" .. cmd .. ".lua") then
    return commands.check({"check", cmd})
  end
  io.stderr:write("ember exercise: unknown command '", cmd, "'\n\n", usage)
  return 2
end

return exercise
