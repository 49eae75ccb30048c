-- ember.lesson.batch — `ember lesson test [ID|FILE ...]`, for authors and CI:
-- every lesson runs top to bottom in a fresh process and folder (outputs
-- compared, checks run, ```predict answers found in their cells' output,
-- Python twins compared with PyTorch's output when it is installed), every
-- exercise's generated starter must FAIL and its solution PASS, lessons
-- whose needs are absent are skipped with the reason. One line per
-- lesson/exercise, details under a failure; then the source tree (the git
-- checkout of the lessons) must have nothing new in `git status` (skipped
-- with a note outside git), then "N passed, M failed, K skipped"; the exit
-- code is 1 on any failure.
-- Not here: running the code itself (child.lua, via spawn.lua).
local fs = require "ember.lesson.fs"
local manifest = require "ember.lesson.manifest"
local exfile = require "ember.lesson.exfile"
local spawn = require "ember.lesson.spawn"

local batch = {}

-- The git checkout holding dir and its `git status --porcelain` lines as a
-- set, or nil when dir is not in a git checkout (or git is missing).
local function git_status(dir)
  local p = io.popen("git -C " .. fs.quote(dir) .. " rev-parse --show-toplevel 2>/dev/null")
  local top = p and p:read("l")
  if p then p:close() end
  if not top or top == "" then return nil end
  p = io.popen("git -C " .. fs.quote(top) .. " status --porcelain --untracked-files=all 2>/dev/null")
  if not p then return nil end
  local set = {}
  for line in p:lines() do set[line] = true end
  p:close()
  return {top = top, lines = set}
end

--- batch.git_status(dir) (exported for tests)
batch.git_status = git_status

local function indent(text, pad)
  pad = pad or "      "
  return pad .. tostring(text):gsub("\n", "\n" .. pad)
end

-- The details of a failed lesson run, for the author.
local function lesson_details(path, r)
  local out = {}
  if r.error then
    out[#out + 1] = r.error
  elseif r.failure then
    local f = r.failure
    local where = string.format("%s:%d: cell '%s'", fs.basename(path), f.line or 0, f.id or "?")
    if f.stage == "output" then
      out[#out + 1] = where .. ": the output differs from the ```output block"
      out[#out + 1] = f.report or ""
    elseif f.stage == "check" then
      local cl = f.check_line and string.format(" (```check on line %d)", f.check_line) or ""
      if f.kind == "check" then
        out[#out + 1] = where .. ": check failed" .. cl .. ": " .. tostring(f.message)
      else
        out[#out + 1] = where .. ": the check raised an error" .. cl .. ":"
        out[#out + 1] = tostring(f.message)
      end
    else
      out[#out + 1] = where .. (f.kind == "syntax" and ": does not compile:" or ": error:")
      out[#out + 1] = tostring(f.message)
      if f.output and f.output ~= "" then
        out[#out + 1] = "output before the error:"
        out[#out + 1] = indent(f.output, "    | ")
      end
    end
  else
    out[#out + 1] = tostring(r.message or "failed")
  end
  return table.concat(out, "\n")
end

local function is_file_arg(a) return a:match("%.md$") or a:match("%.lua$") or a:find("/", 1, true) end

--- batch.run(args) -> exit code; args: lesson ids, positions or file paths
-- opts (args.out: a function(line) for output, default io.write + "\n").
function batch.run(args)
  local say = args.out or function(line) io.write(line, "\n") io.stdout:flush() end
  local list, merr = manifest.load()
  local dir = fs.lessons_dir()
  local counts = {passed = 0, failed = 0, skipped = 0}
  local function report(status, what, detail)
    counts[status] = counts[status] + 1
    local tag = ({passed = "PASS", failed = "FAIL", skipped = "SKIP"})[status]
    say(string.format("%s  %s", tag, what))
    if detail and detail ~= "" then say(indent(detail)) end
  end

  -- what to run
  local lessons, exercises, want_all = {}, {}, #args == 0
  local wanted_lessons = {}
  if not list then
    if want_all or not is_file_arg(args[1]) then
      say("FAIL  " .. merr)
      say("0 passed, 1 failed, 0 skipped")
      return 1
    end
    list = {}
  end
  if want_all then
    for _, e in ipairs(list) do lessons[#lessons + 1] = e; wanted_lessons[e.id] = true end
  end
  local ex_dir = dir .. "/exercises"
  local all_ex = exfile.list(ex_dir)
  local named_ex = {}
  for _, a in ipairs(args) do
    if a:match("%.md$") then
      lessons[#lessons + 1] = {id = fs.basename(a), file = fs.basename(a), path = fs.absolute(a), needs = {}}
    elseif a:match("%.lua$") then
      exercises[#exercises + 1] = {id = fs.basename(a):gsub("%.lua$", ""), path = fs.absolute(a)}
    else
      local e = manifest.find(list, a)
      local is_ex = false
      for _, id in ipairs(all_ex) do if id == a then is_ex = true end end
      if e then
        lessons[#lessons + 1] = e
        wanted_lessons[e.id] = true
      elseif is_ex then
        named_ex[a] = true
      else
        report("failed", "'" .. a .. "': no such lesson or exercise")
      end
    end
  end
  for _, id in ipairs(all_ex) do
    exercises[#exercises + 1] = {id = id, path = ex_dir .. "/" .. id .. ".lua", from_dir = true}
  end

  -- the source tree must be as clean afterwards as it was before: lessons
  -- and exercises write into folders of their own, never the checkout
  local git_before = git_status(dir)

  -- lessons
  for _, e in ipairs(lessons) do
    local what = string.format("lesson %s (%s)", e.id, e.file)
    local missing = manifest.missing(e)
    if missing then
      report("skipped", what .. ": " .. missing)
    elseif not fs.exists(e.path) then
      report("failed", what .. ": " .. e.path .. " does not exist")
    else
      local r, info = spawn.run("lesson", e.path)
      local bad_predicts = r.ok and batch.check_predicts(e.path, r)
      if bad_predicts then
        report("failed", what, bad_predicts)
      elseif r.ok then
        report("passed", string.format("%s: %d cells, %.1f s", what, r.cells_total or 0, info.seconds or 0))
        batch.compare_twins(e, r, report, say)
      else
        local d = lesson_details(e.path, r)
        if info.log and info.log ~= "" and r.kind ~= "crash" and r.failure and r.failure.stage ~= "output" then
          local extra = info.log:sub(-2000)
          if extra:match("%S") then d = d .. "\nprinted on stderr:\n" .. indent(extra, "    | ") end
        end
        report("failed", what, d)
        if info.interrupted then break end
      end
    end
  end

  -- exercises: the starter must fail, the solution must pass
  local by_id = {}
  for _, e in ipairs(list) do by_id[e.id] = e end
  for _, x in ipairs(exercises) do
    local ex, perr = exfile.read(x.path)
    local keep = not x.from_dir or want_all or named_ex[x.id] or (ex and wanted_lessons[ex.lesson])
    if not keep then
      -- not asked for
    elseif not ex then
      report("failed", "exercise " .. x.id, perr)
    else
      local what = string.format("exercise %s (%s)", x.id, ex.title)
      local lesson = ex.lesson and by_id[ex.lesson]
      local missing
      for _, n in ipairs(ex.needs) do
        local ok, why = manifest.need_ok(n)
        if not ok then missing = "needs " .. n .. ": " .. why break end
      end
      if not missing and lesson then missing = manifest.missing(lesson) end
      if x.from_dir and (not ex.lesson or (list[1] and not lesson)) then
        report("failed", what, string.format("%s: `-- lesson: %s` is not a lesson id in the manifest",
          fs.basename(x.path), tostring(ex.lesson)))
      elseif missing then
        report("skipped", what .. ": " .. missing)
      else
        batch.check_exercise(ex, x.path, what, report)
      end
    end
  end

  if git_before then
    local function new_lines()
      local after, new = git_status(dir), {}
      for line in pairs(after and after.lines or {}) do
        if not git_before.lines[line] then new[#new + 1] = line end
      end
      table.sort(new)
      return new
    end
    local new = new_lines()
    -- once more after a second: a file another program (a test running in
    -- parallel in the same checkout) has open for a moment is not ours
    if #new > 0 then os.execute("sleep 1") new = new_lines() end
    if #new > 0 then
      report("failed", "the source tree " .. git_before.top .. " is not clean afterwards (git status):",
        table.concat(new, "\n"))
    else
      say("source tree clean afterwards (git status: nothing new in " .. git_before.top .. ")")
    end
  else
    say("note: " .. dir .. " is not in a git checkout; the clean-source-tree check is skipped")
  end
  say(string.format("%d passed, %d failed, %d skipped", counts.passed, counts.failed, counts.skipped))
  return counts.failed > 0 and 1 or 0
end

-- The ```predict answers against what their cells printed (predict.verify);
-- nil when all hold, else the details.
function batch.check_predicts(path, r)
  local lesson = require("ember.lesson.parse").file(path, fs.basename(path))
  if not lesson then return nil end
  local predict = require "ember.lesson.predict"
  local out = {}
  for k, c in ipairs(lesson.cells) do
    if c.predict then
      local ok, msg = predict.verify(c.predict, (r.outputs or {})[k] or "")
      if not ok then
        out[#out + 1] = string.format("%s:%d: the ```predict before cell '%s': %s", fs.basename(path),
          c.predict.line, c.id, msg)
      end
    end
  end
  return #out > 0 and table.concat(out, "\n") or nil
end

-- The lesson's Python twins against ember's output (twin.lua), when a
-- Python with torch is there. Counted as a pass or a failure; a lesson
-- without twins, or no PyTorch here, is a note (said once), not counted.
local twin_note
function batch.compare_twins(e, r, report, say)
  local twin = require "ember.lesson.twin"
  local ok, why = twin.available()
  if not ok then
    if not twin_note then
      twin_note = true
      say("NOTE  not compared with PyTorch: " .. tostring(why))
    end
    return
  end
  local rep = twin.check_file(e.path, r)
  local what = string.format("compare %s with PyTorch: %s", e.id, rep.summary)
  if rep.skipped then say("NOTE  " .. what)
  else report(rep.ok and "passed" or "failed", what, table.concat(rep.text or {}, "\n")) end
end

--- batch.check_exercise(ex, path, what, report): starter fails, solution passes
function batch.check_exercise(ex, path, what, report)
  local root = assert(fs.tempdir())
  local starter_path = root .. "/" .. ex.id .. ".lua"
  fs.write(starter_path, exfile.starter(ex))
  local chunk, serr = load(exfile.starter(ex), "=starter of " .. ex.id, "t", {})
  local s = spawn.run("exercise", starter_path, {name = "starter of " .. ex.id})
  fs.remove_tree(root)
  local sol, info = spawn.run("exercise", path, {name = fs.basename(path)})
  local problems = {}
  if not chunk then
    problems[#problems + 1] = "the generated starter does not compile (a learner should start from valid Lua):\n" ..
      indent(serr, "    ")
  elseif s.ok then
    problems[#problems + 1] = "the generated starter PASSES; it must fail (an error or a failed check)"
  elseif s.kind == "crash" or s.kind == "interrupted" then
    problems[#problems + 1] = "the starter run did not finish: " .. tostring(s.message)
  end
  if not sol.ok then
    problems[#problems + 1] = string.format("the solution fails (%s):\n%s", sol.kind or "error",
      indent(tostring(sol.message), "    "))
    if sol.output and sol.output ~= "" then
      problems[#problems + 1] = "its output:\n" .. indent(sol.output, "    | ")
    end
  end
  if #problems == 0 then
    report("passed", string.format("%s: starter fails (%s), solution passes, %.1f s", what,
      s.kind == "check" and "failed check" or s.kind, info.seconds or 0))
  else
    report("failed", what, table.concat(problems, "\n"))
  end
end

return batch
