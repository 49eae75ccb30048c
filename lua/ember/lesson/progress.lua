-- ember.lesson.progress — the learner's progress, kept in
-- $XDG_STATE_HOME/ember/progress.json (else ~/.local/state/ember/...):
--   {version = 1, current = "tensors",
--    lessons = {tensors = {hash = "...", step = "make-data", completed = true,
--                          steps = {["make-data"] = "done", ["step-2"] = "skipped"},
--                          predicts = {["make-data"] = "right"}}},   -- first guesses
--    exercises = {["compare-lrs"] = {passed = true}}}
-- keyed by the stable lesson and step ids; `hash` is the lesson file's hash
-- when the learner last worked on it, so an edited lesson is noticed.
-- Written atomically (temp file + rename). A corrupt file is reported, kept
-- as progress.json.corrupt and replaced; nothing here raises.
-- Not here: deciding what the learner sees (runner.lua, status.lua).
local fs = require "ember.lesson.fs"
local json = require "ember.lesson.json"

local progress = {}

--- progress.hash(text) -> 16 hex digits (two 32-bit FNV-1a hashes)
function progress.hash(text)
  local h1, h2 = 0x811c9dc5, 0x01000193 ~ 0x5bd1e995
  for i = 1, #text do
    local b = text:byte(i)
    h1 = ((h1 ~ b) * 0x01000193) & 0xffffffff
    h2 = ((h2 ~ b) * 0x01000193 + i) & 0xffffffff
  end
  return string.format("%08x%08x", h1, h2)
end

local function fresh() return {version = 1, lessons = {}, exercises = {}} end

-- Keeps only well-formed parts of a decoded state.
local function sanitise(raw)
  local s = fresh()
  if type(raw) ~= "table" or raw[1] ~= nil then return nil end
  if type(raw.current) == "string" then s.current = raw.current end
  if type(raw.lessons) == "table" then
    for id, l in pairs(raw.lessons) do
      if type(id) == "string" and type(l) == "table" then
        local rec = {steps = {}}
        if type(l.hash) == "string" then rec.hash = l.hash end
        if type(l.step) == "string" then rec.step = l.step end
        if l.completed == true then rec.completed = true end
        if type(l.steps) == "table" then
          for k, v in pairs(l.steps) do
            if type(k) == "string" and (v == "done" or v == "skipped") then rec.steps[k] = v end
          end
        end
        if type(l.predicts) == "table" then      -- the first guess at each ```predict
          for k, v in pairs(l.predicts) do
            if type(k) == "string" and (v == "right" or v == "wrong") then
              rec.predicts = rec.predicts or {}
              rec.predicts[k] = v
            end
          end
        end
        s.lessons[id] = rec
      end
    end
  end
  if type(raw.exercises) == "table" then
    for id, x in pairs(raw.exercises) do
      if type(id) == "string" and type(x) == "table" then
        s.exercises[id] = {passed = x.passed == true or nil, hints = math.tointeger(x.hints)}
      end
    end
  end
  return s
end

--- progress.load([path]) -> state, warning
-- warning is a sentence for the learner when the file was unreadable.
function progress.load(path)
  path = path or fs.state_file()
  local text = fs.read(path)
  if not text then return fresh() end
  local raw, err = json.decode(text)
  local s = raw and sanitise(raw)
  if s then return s end
  local aside = path .. ".corrupt"
  os.remove(aside)
  os.rename(path, aside)
  return fresh(), string.format("your progress file %s could not be read (%s); starting with no " ..
    "progress, the old file is kept as %s", fs.short(path), err or "not a progress record", fs.short(aside))
end

--- progress.save(state[, path]) -> true | nil, message
function progress.save(state, path)
  path = path or fs.state_file()
  local ok, text = pcall(json.encode, state, true)
  if not ok then return nil, "cannot write progress: " .. tostring(text) end
  local written, err = fs.write_atomic(path, text .. "\n")
  if not written then return nil, "cannot save progress to " .. fs.short(path) .. ": " .. tostring(err) end
  return true
end

--- progress.lesson(state, id) -> the lesson's record (created when absent)
function progress.lesson(state, id)
  local rec = state.lessons[id]
  if not rec then
    rec = {steps = {}}
    state.lessons[id] = rec
  end
  return rec
end

--- progress.exercise(state, id) -> the exercise's record (created when absent)
function progress.exercise(state, id)
  local rec = state.exercises[id]
  if not rec then
    rec = {}
    state.exercises[id] = rec
  end
  return rec
end

return progress
