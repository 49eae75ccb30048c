-- ember.lesson.exfile — one exercise file (lessons/exercises/ID.lua): its
-- header (`-- title:`, `-- lesson:`, `-- hint:` lines, optional `-- needs:`),
-- its `-- BEGIN SOLUTION` / `-- END SOLUTION` regions, and the learner's
-- starter generated from them: each region becomes its `--starter ` lines
-- (prefix removed) or `-- TODO: your code here`. The file itself is the
-- reference solution. Malformed files give nil, "FILE:LINE: message".
-- Not here: running exercises or the learner's copies (exercise.lua).
local exfile = {}

local function lines_of(text)
  local lines = {}
  text = text:gsub("\r\n", "\n")
  if text:sub(-1) ~= "\n" then text = text .. "\n" end
  for line in text:gmatch("(.-)\n") do lines[#lines + 1] = line end
  return lines
end

local function is_begin(line) return line:match("^%s*%-%-%s*BEGIN SOLUTION%s*$") ~= nil end
local function is_end(line) return line:match("^%s*%-%-%s*END SOLUTION%s*$") ~= nil end

--- exfile.parse(text, id, name) -> exercise | nil, message
-- exercise = {id, title, lesson, hint, needs = {...}, regions = {{first,
-- last}}, solution = text, lines, check_tail}
function exfile.parse(text, id, name)
  name = name or (id .. ".lua")
  if type(text) ~= "string" then return nil, name .. ": not a string" end
  local lines = lines_of(text)
  local ex = {id = id, solution = text, lines = lines, regions = {}, needs = {}}
  local hints = {}
  local function err(i, msg) return nil, string.format("%s:%d: %s", name, i, msg) end

  local open
  for i, line in ipairs(lines) do
    local key, value = line:match("^%-%-%s*(%a+):%s?(.*)$")
    if key == "title" and not ex.title then ex.title = value
    elseif key == "lesson" and not ex.lesson then ex.lesson = value:match("^%s*(.-)%s*$")
    elseif key == "hint" then hints[#hints + 1] = value
    elseif key == "needs" then
      for n in value:gmatch("[%w%-]+") do ex.needs[#ex.needs + 1] = n end
    end
    if is_begin(line) then
      if open then return err(i, "BEGIN SOLUTION inside the region opened on line " .. open) end
      open = i
    elseif is_end(line) then
      if not open then return err(i, "END SOLUTION without a BEGIN SOLUTION") end
      ex.regions[#ex.regions + 1] = {first = open, last = i}
      open = nil
    end
  end
  if open then return err(open, "BEGIN SOLUTION without an END SOLUTION") end
  if not ex.title or ex.title == "" then return err(1, "an exercise needs a `-- title:` line") end
  if #ex.regions == 0 then
    return err(1, "an exercise needs at least one -- BEGIN SOLUTION / -- END SOLUTION region")
  end
  ex.hint = table.concat(hints, "\n")
  -- the lines after the last region: the checks
  local last = ex.regions[#ex.regions].last
  ex.check_tail = table.concat(lines, "\n", last + 1)
  return ex
end

--- exfile.starter(ex) -> the learner's starter text
function exfile.starter(ex)
  local out = {}
  local r, i = 1, 1
  local lines = ex.lines
  while i <= #lines do
    local region = ex.regions[r]
    if region and i == region.first then
      local indent = lines[i]:match("^(%s*)")
      local any = false
      for j = region.first + 1, region.last - 1 do
        local pre, rest = lines[j]:match("^(%s*)%-%-starter ?(.*)$")
        if pre then
          out[#out + 1] = pre .. rest
          any = true
        end
      end
      if not any then out[#out + 1] = indent .. "-- TODO: your code here" end
      i = region.last + 1
      r = r + 1
    else
      out[#out + 1] = lines[i]
      i = i + 1
    end
  end
  return table.concat(out, "\n") .. "\n"
end

--- exfile.read(path) -> exercise | nil, message
function exfile.read(path)
  local f, ferr = io.open(path, "rb")
  if not f then return nil, ferr end
  local text = f:read("a")
  f:close()
  local id = path:match("([^/]+)%.lua$") or path
  return exfile.parse(text or "", id, path:match("([^/]+/[^/]+)$") or path)
end

--- exfile.list(dir) -> sorted list of exercise ids found in dir
function exfile.list(dir)
  local sys = require "ember.sys"
  local names = sys.listdir(dir) or {}
  local ids = {}
  for _, n in ipairs(names) do
    local id = n:match("^([%w][%w_%-]*)%.lua$")
    if id then ids[#ids + 1] = id end
  end
  return ids
end

return exfile
