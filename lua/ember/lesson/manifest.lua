-- ember.lesson.manifest — lessons/manifest.lua: the ordered list of lessons
-- (id, file, title, needs). Loaded as data in an empty environment, checked
-- entry by entry (a bad entry is an error naming it), and looked up by id or
-- by position. Also answers whether a lesson's needs are present. Not here:
-- the lesson files themselves (parse.lua).
local fs = require "ember.lesson.fs"

local manifest = {}

-- What a lesson may need, and how to find out whether it is there.
local need_checks = {
  gnuplot = function()
    if os.execute("command -v gnuplot >/dev/null 2>&1") then return true end
    return false, "gnuplot is not installed (command -v gnuplot found nothing)"
  end,
  cuda = function()
    local ok, avail = pcall(function() return torch.cuda.is_available() end)
    if ok and avail then return true end
    return false, "no CUDA device (torch.cuda.is_available() is false)"
  end,
  ["torch-python"] = function()
    local py = os.getenv("EMBER_PYTHON")
    if not py or py == "" then py = "/usr/bin/python3" end
    if os.execute(fs.quote(py) .. " -c 'import torch' >/dev/null 2>&1") then return true end
    return false, py .. " with torch is not available (" .. py .. " -c 'import torch' failed)"
  end,
}
manifest.known_needs = {"gnuplot", "cuda", "torch-python"}

local need_cache = {}

--- manifest.need_ok(name) -> true | false, reason (cached per process)
function manifest.need_ok(name)
  if need_cache[name] == nil then
    local check = need_checks[name]
    if not check then
      need_cache[name] = {false, "unknown need '" .. tostring(name) .. "'"}
    else
      local ok, reason = check()
      need_cache[name] = {ok, reason}
    end
  end
  return need_cache[name][1], need_cache[name][2]
end

--- manifest.missing(entry) -> nil when every need is present, else the reason
function manifest.missing(entry)
  for _, need in ipairs(entry.needs or {}) do
    local ok, reason = manifest.need_ok(need)
    if not ok then return "needs " .. need .. ": " .. reason end
  end
  return nil
end

local function check_entry(e, i, seen)
  local where = string.format("manifest.lua, entry %d", i)
  if type(e) ~= "table" then return nil, where .. ": expected a table, got " .. type(e) end
  if type(e.id) ~= "string" or not e.id:match("^[%w][%w_%-]*$") then
    return nil, where .. ": id must be a string of letters, digits, '-' and '_'"
  end
  where = where .. " (" .. e.id .. ")"
  if tonumber(e.id) then return nil, where .. ": an id cannot be a number (numbers are positions)" end
  if seen[e.id] then return nil, where .. ": duplicate id (also entry " .. seen[e.id] .. ")" end
  seen[e.id] = i
  if type(e.file) ~= "string" or e.file == "" or e.file:find("%.%.") then
    return nil, where .. ": file must be a file name inside lessons/"
  end
  if type(e.title) ~= "string" or e.title == "" then return nil, where .. ": title must be a string" end
  if e.needs ~= nil then
    if type(e.needs) ~= "table" then return nil, where .. ": needs must be a list" end
    for _, n in ipairs(e.needs) do
      if not need_checks[n] then
        return nil, string.format("%s: unknown need '%s' (known: %s)", where, tostring(n),
          table.concat(manifest.known_needs, ", "))
      end
    end
  end
  return {id = e.id, file = e.file, title = e.title, needs = e.needs or {}, index = i}
end

--- manifest.load([dir]) -> list of entries | nil, message
-- Each entry: {id, file, title, needs, index, path}.
function manifest.load(dir)
  dir = dir or fs.lessons_dir()
  local path = dir .. "/manifest.lua"
  local text, err = fs.read(path)
  if not text then return nil, "no lessons found: " .. tostring(err) .. " (set EMBER_LESSONS_DIR?)" end
  local chunk, lerr = load(text, "@" .. path, "t", {})
  if not chunk then return nil, lerr end
  -- data, not a program: a bounded number of instructions
  debug.sethook(function() error(path .. ": takes too long to load (a loop?)", 0) end, "", 1e6)
  local ok, list = pcall(chunk)
  debug.sethook()
  if not ok then return nil, tostring(list) end
  if type(list) ~= "table" then return nil, path .. ": must return a list of lessons" end
  local out, seen = {}, {}
  for i, e in ipairs(list) do
    local entry, eerr = check_entry(e, i, seen)
    if not entry then return nil, dir .. "/" .. eerr end
    entry.path = dir .. "/" .. entry.file
    out[i] = entry
  end
  out.dir = dir
  return out
end

--- manifest.find(list, key) -> entry | nil, message
-- key: a lesson id, or its position ("3").
function manifest.find(list, key)
  local n = tonumber(key)
  if n then
    local e = list[math.tointeger(n) or -1]
    if e then return e end
    return nil, string.format("there is no lesson %s (lessons are numbered 1 to %d)", key, #list)
  end
  for _, e in ipairs(list) do
    if e.id == key then return e end
  end
  local close = {}
  for _, e in ipairs(list) do
    if e.id:find(key, 1, true) or key:find(e.id, 1, true) then close[#close + 1] = e.id end
  end
  local msg = "no lesson called '" .. tostring(key) .. "'"
  if #close > 0 then msg = msg .. " (did you mean " .. table.concat(close, ", ") .. "?)" end
  return nil, msg .. "; `ember lesson list` shows them all"
end

return manifest
