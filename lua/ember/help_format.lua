-- ember.help_format — how ember.help lays text out for an 80-column
-- terminal: one-line summaries of doc texts, "name  summary" listings and
-- names in columns. Plain text: colours are the REPL's business.
local M = {}

local WIDTH = 80
M.WIDTH = WIDTH

local function clip(s, width)
  if #s <= width then return s end
  return s:sub(1, width - 3) .. "..."
end

local OPEN, CLOSE = {["("] = 1, ["["] = 1, ["{"] = 1}, {[")"] = 1, ["]"] = 1, ["}"] = 1}

--- summary(doc) -> string
-- The one-line summary of a doc text, as lists show it: the text after the
-- signature ("f(x): does this"), else the line after the signature.
local function summary(doc)
  if not doc then return "(no documentation)" end
  local lines = {}
  for line in (doc .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
  -- the signature: line 1, and the lines after it while brackets are open
  local depth, closed, sig_end = 0, false, 1
  for i, line in ipairs(lines) do
    for pos = 1, #line do
      local c = line:sub(pos, pos)
      if OPEN[c] then depth = depth + 1
      elseif CLOSE[c] then depth = math.max(0, depth - 1) closed = true
      elseif depth == 0 and closed and (line:sub(pos, pos + 1) == ": " or line:sub(pos, pos + 3) == " -- ") then
        -- "f(x): does this" — the rest of the sentence, across lines
        local text = line:sub(pos + (c == ":" and 2 or 4))
        for j = i + 1, #lines do
          if lines[j] == "" or lines[j]:match("^Example") or text:match("%.$") then break end
          text = text .. " " .. lines[j]:gsub("^%s+", "")
        end
        return (text:match("^(.-%.)%s") or text)
      end
    end
    sig_end = i
    if depth == 0 then break end
  end
  local nxt = lines[sig_end + 1]
  if nxt and nxt ~= "" and not nxt:match("^Example") then return (nxt:gsub("^%s+", "")) end
  return lines[1]
end

-- Lines "  label  summary" for a list of {label, doc}, fitted to WIDTH.
local function listing(entries)
  local w = 0
  for _, e in ipairs(entries) do w = math.max(w, #e[1]) end
  w = math.min(w, 22)
  local out = {}
  for _, e in ipairs(entries) do
    local label = e[1]
    local line
    if #label > w then
      line = "  " .. label .. "  " .. summary(e[2])
    else
      line = "  " .. label .. string.rep(" ", w - #label) .. "  " .. summary(e[2])
    end
    out[#out + 1] = clip(line, WIDTH)
  end
  return table.concat(out, "\n")
end

-- Names in columns, fitted to WIDTH.
local function columns(names, indent)
  indent = indent or "  "
  local w = 0
  for _, n in ipairs(names) do w = math.max(w, #n) end
  w = math.min(w, 18) + 2          -- a longer name takes several cells
  local per = math.max(1, (WIDTH - #indent) // w)
  local out, row, used = {}, {}, 0
  for _, n in ipairs(names) do
    local cells = math.max(1, math.ceil((#n + 2) / w))
    if used > 0 and used + cells > per then
      out[#out + 1] = (indent .. table.concat(row)):gsub("%s+$", "")
      row, used = {}, 0
    end
    row[#row + 1] = n .. string.rep(" ", cells * w - #n)
    used = used + cells
  end
  if #row > 0 then out[#out + 1] = (indent .. table.concat(row)):gsub("%s+$", "") end
  return table.concat(out, "\n")
end

-- Lines longer than width broken at spaces; the continuation lines are
-- indented 4 more than the line they continue.
local function wrap(text, width)
  width = width or WIDTH
  local out = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    local indent = line:match("^%s*")
    local cont = indent .. "    "
    while #line > width do
      local cut
      for pos = width + 1, #indent + 2, -1 do
        if line:sub(pos, pos) == " " then cut = pos break end
      end
      if not cut then break end
      out[#out + 1] = (line:sub(1, cut - 1):gsub("%s+$", ""))
      line = cont .. line:sub(cut + 1):gsub("^%s+", "")
    end
    out[#out + 1] = line
  end
  return table.concat(out, "\n")
end

M.clip = clip
M.wrap = wrap
M.summary = summary
M.listing = listing
M.columns = columns
return M
