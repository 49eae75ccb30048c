-- ember.lesson.status — what `ember lesson list` shows (each lesson with
-- done / in progress (step k of n) / not started / changed since / needs X)
-- and `ember lesson reset ID|--all` (asks y/N unless --yes). Not here: the
-- progress file format (progress.lua), walking through a lesson (runner.lua).
local fs = require "ember.lesson.fs"
local manifest = require "ember.lesson.manifest"
local parse = require "ember.lesson.parse"
local progress = require "ember.lesson.progress"
local render = require "ember.lesson.render"

local status = {}

--- status.of(entry, state) -> text, kind ("done"|"progress"|"new"|"changed"|"error")
function status.of(entry, state)
  local lesson, err = parse.file(entry.path, entry.file)
  if not lesson then
    if not fs.exists(entry.path) then return "not written yet", "error" end
    return "error: " .. tostring(err), "error"
  end
  local n = #lesson.cells
  local rec = state.lessons[entry.id]
  local hash = progress.hash(lesson.source)
  local text, kind
  if not rec or (not rec.completed and not rec.step and next(rec.steps) == nil) then
    text, kind = "not started", "new"
  else
    local k
    for i, c in ipairs(lesson.cells) do if c.id == rec.step then k = i end end
    local skipped = 0
    for _, c in ipairs(lesson.cells) do if rec.steps[c.id] == "skipped" then skipped = skipped + 1 end end
    if rec.hash and rec.hash ~= hash then
      text, kind = rec.completed and "done, but the lesson changed since" or
        string.format("changed since you started (you were at step %s of %d)", k or "?", n), "changed"
    elseif k then
      text, kind = string.format("in progress (step %d of %d)", k, n), "progress"
      if rec.completed then text = "done; going through again (step " .. k .. " of " .. n .. ")" end
    elseif rec.completed then
      text, kind = skipped > 0 and string.format("done (%d of %d steps skipped)", skipped, n) or "done", "done"
    else
      text, kind = "in progress", "progress"
    end
  end
  -- right first guesses at the lesson's ```predict blocks
  local asked, right, total = 0, 0, 0
  for _, c in ipairs(lesson.cells) do
    if c.predict then
      total = total + 1
      local g = rec and rec.predicts and rec.predicts[c.id]
      if g then asked = asked + 1 end
      if g == "right" then right = right + 1 end
    end
  end
  if asked > 0 then text = text .. string.format("; predictions: %d of %d right first time", right, total) end
  local missing = manifest.missing(entry)
  if missing then text = text .. "; skipped in tests: " .. missing end
  return text, kind
end

--- status.print_list(list) -> exit code
function status.print_list(list)
  local state, warn = progress.load()
  if warn then io.stderr:write("ember lesson: ", warn, "\n") end
  local paint = render.painter()
  local idw, tw = 2, 5
  for _, e in ipairs(list) do
    idw = math.max(idw, #e.id)
    tw = math.max(tw, utf8.len(e.title) or #e.title)
  end
  tw = math.min(tw, 40)
  local colour = {done = "ok", error = "fail", changed = "number", progress = "bold"}
  for i, e in ipairs(list) do
    local text, kind = status.of(e, state)
    local mark = e.id == state.current and ">" or " "
    local title = e.title
    if (utf8.len(title) or #title) > tw then title = title:sub(1, tw - 1) .. "…" end
    local pad = string.rep(" ", tw - (utf8.len(title) or #title))
    io.write(string.format("%s %2d  %-" .. idw .. "s  %s%s  %s\n", mark, i, e.id, title, pad,
      paint(colour[kind], text)))
  end
  io.write("\n`ember lesson N` opens lesson N, `ember lesson` continues where you stopped.\n")
  io.write("Files a lesson writes go to its work folder: ", fs.short(fs.work_root()), "/<lesson-id>/\n")
  return 0
end

-- Reads a y/N answer from stdin (anything but y/yes is no, end of input too).
local function confirm(question)
  io.write(question, " [y/N] ")
  io.stdout:flush()
  local line = io.read("l")
  if line == nil then io.write("\n") end
  return line ~= nil and (line:lower():match("^%s*y") ~= nil)
end

--- status.reset(list, target, yes) -> exit code
function status.reset(list, target, yes)
  local state, warn = progress.load()
  if warn then io.stderr:write("ember lesson: ", warn, "\n") end
  if target == "--all" then
    if not yes and not confirm("Forget ALL your lesson and exercise progress?") then
      io.write("Nothing changed.\n")
      return 1
    end
    state = {version = 1, lessons = {}, exercises = {}}
    local ok, err = progress.save(state)
    if not ok then io.stderr:write("ember lesson: ", err, "\n") return 1 end
    io.write("All progress forgotten. Your exercise files in ", fs.short(fs.exercises_dir()),
      " are kept (`ember exercise reset ID` restores one).\n")
    return 0
  end
  local entry, err = manifest.find(list, target)
  if not entry then io.stderr:write("ember lesson: ", err, "\n") return 1 end
  if not yes and not confirm(string.format("Forget your progress in lesson %d, %s?", entry.index, entry.title)) then
    io.write("Nothing changed.\n")
    return 1
  end
  state.lessons[entry.id] = nil
  local ok, serr = progress.save(state)
  if not ok then io.stderr:write("ember lesson: ", serr, "\n") return 1 end
  io.write(string.format("Lesson %s starts again from step 1 (`ember lesson %s`).\n", entry.id, entry.id))
  return 0
end

return status
