-- ember.help_source — doc comments read from Lua sources, for ember.help:
-- the block of comment lines directly above a line (from its first `---`
-- line on: `--- signature`, then `-- text`), a file's header comment, and
-- the doc above the assignment of a function made by a factory. Sources are
-- files ("@path", read once and cached) or chunks loaded from strings.
-- Not here: which line to look at (ember.help), the texts themselves.
local M = {}

local lines_cache = {}

-- The lines of a chunk's source ("@path" is a file; "=name" has no text;
-- anything else is the code itself, as load(string) records it).
local function source_lines(source)
  if type(source) ~= "string" then return nil end
  local cached = lines_cache[source]
  if cached ~= nil then return cached or nil end
  local text
  local first = source:sub(1, 1)
  if first == "@" then
    local f = io.open(source:sub(2), "r")
    if f then
      text = f:read("a")
      f:close()
    end
  elseif first ~= "=" then
    text = source
  end
  local lines = false
  if text then
    lines = {}
    for line in (text:gsub("\r\n", "\n") .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("(.-)\n") do
      lines[#lines + 1] = line
    end
  end
  lines_cache[source] = lines
  return lines or nil
end

local function is_separator(line) return line:match("^%s*%-%-%-%-+%s*$") ~= nil end

-- The doc comment directly above line `lineno`: the run of comment lines
-- ending at lineno - 1, from its first `---` line on. nil when there is none.
local function block_above(lines, lineno)
  local first = lineno
  while first > 1 and lines[first - 1] and lines[first - 1]:match("^%s*%-%-") and
        not lines[first - 1]:match("^%s*%-%-%[=*%[") do
    first = first - 1
  end
  local start
  for i = first, lineno - 1 do
    if lines[i]:match("^%s*%-%-%-") and not is_separator(lines[i]) then start = i break end
  end
  if not start then return nil end
  local out = {}
  for i = start, lineno - 1 do
    local line = lines[i]
    if not is_separator(line) then
      out[#out + 1] = (line:match("^%s*%-%-%-? ?(.-)%s*$"))
    end
  end
  while #out > 0 and out[#out] == "" do out[#out] = nil end
  if #out == 0 or out[1] == "" then return nil end
  return table.concat(out, "\n")
end

local function doc_at(source, line)
  if type(line) ~= "number" or line < 2 then return nil end
  local lines = source_lines(source)
  if not lines then return nil end
  return block_above(lines, line)
end

-- The leading comment of a file (its header), without the comment marks.
local function file_header(path)
  local lines = source_lines("@" .. path)
  if not lines then return nil end
  local out = {}
  for _, line in ipairs(lines) do
    if not line:match("^%s*%-%-") then break end
    if not is_separator(line) then out[#out + 1] = (line:match("^%s*%-%-%-? ?(.-)%s*$")) end
  end
  while #out > 0 and out[#out] == "" do out[#out] = nil end
  return #out > 0 and table.concat(out, "\n") or nil
end

-- A function made by a factory (datasets.MNIST = make("MNIST")): the doc
-- above the line that assigns it, or above the group of assignments it is in.
local function assignment_doc(source, name, linedefined)
  local lines = source_lines(source)
  if not lines or not name then return nil end
  -- top level, a call on the right: M.name = make(...)
  local pat = "^[%w_.]*%." .. name:gsub("%p", "%%%0") .. "%s*=%s*[%w_.:]+%("
  for i, line in ipairs(lines) do
    if i ~= linedefined and line:match(pat) then
      local j = i
      while j > 1 and lines[j - 1]:match("^[%w_.]+%.[%w_]+%s*=%s*[%w_.:]+%(") do j = j - 1 end
      local d = block_above(lines, j)
      if d then return d end
    end
  end
  return nil
end

M.source_lines = source_lines
M.block_above = block_above
M.doc_at = doc_at
M.file_header = file_header
M.assignment_doc = assignment_doc
return M
