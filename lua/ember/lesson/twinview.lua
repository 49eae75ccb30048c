-- ember.lesson.twinview — a cell's Lua beside its PyTorch twin (the `p` key
-- of the runner): two columns when both fit the terminal, else the Python
-- below the Lua; the twin's `#| differs` annotations as notes under it.
-- Only the layout; the runner decides when to show it.
-- Not here: running the twin (twin.lua), parsing (parse.lua).
local render = require "ember.lesson.render"

local twinview = {}

--- twinview.columns() -> the terminal's width: $COLUMNS, else `stty size`
-- when stdin is a terminal, else 80
function twinview.columns()
  local c = tonumber(os.getenv("COLUMNS") or "")
  if c and c > 0 then return math.floor(c) end
  local ok, sys = pcall(require, "ember.sys")
  if ok and sys.isatty("stdin") then
    local p = io.popen("stty size 2>/dev/null")
    if p then
      local out = p:read("a") or ""
      p:close()
      local cols = tonumber(out:match("%d+%s+(%d+)"))
      if cols and cols > 0 then return cols end
    end
  end
  return 80
end

local function lines_of(code)
  local out = {}
  code = render.clean((code or ""):gsub("\n$", ""):gsub("\t", "    "))
  for line in (code .. "\n"):gmatch("(.-)\n") do out[#out + 1] = line end
  return out
end

local function width(s) return utf8.len(s) or #s end

--- twinview.render(lua_code, python_code, cols, paint) -> text
-- Lua highlighted as in the lesson; the Python plain. Side by side when
-- 2 + widest Lua line + 3 + widest Python line <= cols.
function twinview.render(lua_code, python_code, cols, paint)
  paint = paint or render.painter(false)
  -- `#| differs ...: reason` annotations (twin.lua) become a note below
  local notes, kept = {}, {}
  for _, l in ipairs(lines_of(python_code)) do
    local reason = l:match("^%s*#|%s*differs[%d,%s]*:%s*(.-)%s*$")
    if reason then notes[#notes + 1] = reason else kept[#kept + 1] = l end
  end
  local L, P = lines_of(lua_code), kept
  local lw, pw = width("Lua (ember)"), width("Python (PyTorch)")
  for _, l in ipairs(L) do lw = math.max(lw, width(l)) end
  for _, l in ipairs(P) do pw = math.max(pw, width(l)) end
  local out = {}
  if 2 + lw + 3 + pw <= cols then
    local function pad(s, n) return s .. string.rep(" ", n - width(s)) end
    out[#out + 1] = "  " .. paint("bold", pad("Lua (ember)", lw)) .. " │ " .. paint("bold", "Python (PyTorch)")
    out[#out + 1] = "  " .. string.rep("─", lw) .. "─┼─" .. string.rep("─", pw)
    for k = 1, math.max(#L, #P) do
      local l, p = L[k] or "", P[k] or ""
      out[#out + 1] = "  " .. render.highlight_lua(l, paint) .. string.rep(" ", lw - width(l)) .. " │ " .. p
    end
  else
    out[#out + 1] = "  " .. paint("bold", "Lua (ember)")
    for _, l in ipairs(L) do out[#out + 1] = "  " .. render.highlight_lua(l, paint) end
    out[#out + 1] = ""
    out[#out + 1] = "  " .. paint("bold", "Python (PyTorch)")
    for _, p in ipairs(P) do out[#out + 1] = "  " .. p end
  end
  for _, n in ipairs(notes) do out[#out + 1] = "  " .. paint("dim", "Prints differently: " .. n) end
  for k = 1, #out do out[k] = out[k]:gsub("%s+$", "") end
  return table.concat(out, "\n")
end

return twinview
