-- ember.lesson.compare — expected vs got output of a cell, in the one
-- documented way: CRLF -> LF, trailing spaces and tabs of each line removed,
-- leading and trailing blank lines removed; then line by line, where an
-- expected line that is only `...` matches any number of lines (0 or more).
-- Also the learner-facing report of a mismatch. Not here: running cells.
local compare = {}

--- compare.normalise(s) -> string
function compare.normalise(s)
  s = tostring(s or ""):gsub("\r\n", "\n"):gsub("\r", "\n")
  local lines = {}
  for line in (s .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = (line:gsub("[ \t]+$", ""))
  end
  local first, last = 1, #lines
  while first <= last and lines[first] == "" do first = first + 1 end
  while last >= first and lines[last] == "" do last = last - 1 end
  return table.concat(lines, "\n", first, last)
end

local function split(s)
  local lines = {}
  if s == "" then return lines end
  for line in (s .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  return lines
end

local function is_wild(line) return line:match("^%s*%.%.%.%s*$") ~= nil end

--- compare.lines_match(expected_lines, got_lines) -> boolean
-- Dynamic programming over (expected line, got line), one row at a time, so
-- no recursion and at most O(#expected * #got) steps.
function compare.lines_match(e, g)
  local ng = #g
  -- row[j+1]: expected[1..i] matches got[1..j]
  local row = {true}
  for j = 1, ng do row[j + 1] = false end
  for i = 1, #e do
    local new = {}
    if is_wild(e[i]) then
      new[1] = row[1]
      for j = 1, ng do new[j + 1] = row[j + 1] or new[j] end
    else
      new[1] = false
      for j = 1, ng do new[j + 1] = row[j] and e[i] == g[j] end
    end
    row = new
  end
  return row[ng + 1]
end

--- compare.output(expected, got) -> true | false, report
-- report is the learner-facing text: both outputs in full and the first
-- line that differs.
function compare.output(expected, got)
  local ne, ng = compare.normalise(expected), compare.normalise(got)
  local e, g = split(ne), split(ng)
  if compare.lines_match(e, g) then return true end
  local out = {}
  local function block(title, lines)
    out[#out + 1] = title
    if #lines == 0 then out[#out + 1] = "    (nothing)" end
    for _, l in ipairs(lines) do out[#out + 1] = "    | " .. l end
  end
  block("expected output:", e)
  block("got:", g)
  -- the first difference, when no `...` comes before it
  for i = 1, math.max(#e, #g) do
    if e[i] and is_wild(e[i]) then break end
    if e[i] ~= g[i] then
      if e[i] == nil then
        out[#out + 1] = string.format("line %d: expected nothing more, got %q", i, g[i])
      elseif g[i] == nil then
        out[#out + 1] = string.format("line %d: expected %q, got nothing", i, e[i])
      else
        out[#out + 1] = string.format("line %d: expected %q, got %q", i, e[i], g[i])
      end
      break
    end
  end
  return false, table.concat(out, "\n")
end

return compare
