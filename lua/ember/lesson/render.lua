-- ember.lesson.render — lesson Markdown for a terminal: headings bold and
-- underlined, emphasis, inline code, links with their address, lists, block
-- quotes, code blocks indented (Lua ones highlighted), paragraphs wrapped to
-- the terminal width. Colours only when stdout is a terminal, NO_COLOR is
-- unset or empty and TERM is not dumb (EMBER_COLOR=always|never overrides);
-- otherwise plain text that reads well in a log. Control characters from
-- the lesson are shown as ^X, never sent to the terminal.
-- Not here: parsing (ember.markdown, parse.lua), deciding what to show.
local markdown = require "ember.markdown"
local sys = require "ember.sys"

local render = {}

--- render.color_on() -> whether to use colours on stdout
function render.color_on()
  local force = os.getenv("EMBER_COLOR")
  if force == "always" then return true end
  if force == "never" then return false end
  local nc = os.getenv("NO_COLOR")
  if nc and nc ~= "" then return false end
  if os.getenv("TERM") == "dumb" then return false end
  return sys.isatty("stdout")
end

--- render.term_width() -> the terminal's columns (COLUMNS, else the
-- terminal's own width, else 80; at least 20)
function render.term_width()
  local w = tonumber(os.getenv("COLUMNS") or "") or (sys.termwidth and sys.termwidth()) or 80
  return math.max(20, math.floor(w))
end

--- render.width() -> columns to wrap prose at (render.term_width() within 40..100)
function render.width()
  return math.max(40, math.min(100, render.term_width()))
end

local sgr = {
  h1 = "\27[1;4m", h2 = "\27[1;4m", h3 = "\27[1m", strong = "\27[1m", emph = "\27[3m",
  code = "\27[36m", link = "\27[4m", dim = "\27[2m", keyword = "\27[35m", string = "\27[32m",
  comment = "\27[90m", number = "\27[33m", ok = "\27[32m", fail = "\27[31m", bold = "\27[1m",
  reset = "\27[0m",
}

--- render.clean(s): control characters (but \n and \t) shown as ^X
function render.clean(s)
  return (tostring(s):gsub("[%z\1-\8\11-\31\127]", function(c)
    return c == "\127" and "^?" or ("^" .. string.char(c:byte() + 64))
  end))
end

local function dwidth(s)
  return utf8.len(s) or #s
end

---------------------------------------------------------------------------
-- A painter: paint("code", "x") or paint("strong+emph", "x") -> styled text
-- (the text unchanged when colours are off)
---------------------------------------------------------------------------
function render.painter(on)
  if on == nil then on = render.color_on() end
  return function(style, s)
    if not on or not style then return s end
    local codes = {}
    for name in style:gmatch("[^+]+") do codes[#codes + 1] = sgr[name] end
    if #codes == 0 then return s end
    return table.concat(codes) .. s .. sgr.reset
  end, on
end

---------------------------------------------------------------------------
-- Lua highlighting
---------------------------------------------------------------------------
local keywords = {}
for w in ([[and break do else elseif end false for function goto if in local nil not or
  repeat return then true until while]]):gmatch("%a+") do keywords[w] = true end

--- render.highlight_lua(code, paint) -> code with styles (one string)
function render.highlight_lua(code, paint)
  local out, i, n = {}, 1, #code
  while i <= n do
    local c = code:sub(i, i)
    local j
    if code:match("^%-%-%[=*%[", i) then                        -- long comment
      local eq = code:match("^%-%-%[(=*)%[", i)
      local _, e = code:find("]" .. eq .. "]", i, true)
      j = e or n
      out[#out + 1] = paint("comment", code:sub(i, j))
    elseif code:match("^%-%-", i) then                           -- line comment
      j = (code:find("\n", i, true) or n + 1) - 1
      out[#out + 1] = paint("comment", code:sub(i, j))
    elseif code:match("^%[=*%[", i) then                         -- long string
      local eq = code:match("^%[(=*)%[", i)
      local _, e = code:find("]" .. eq .. "]", i, true)
      j = e or n
      out[#out + 1] = paint("string", code:sub(i, j))
    elseif c == '"' or c == "'" then                             -- short string
      j = i + 1
      while j <= n do
        local d = code:sub(j, j)
        if d == "\\" then j = j + 1
        elseif d == c or d == "\n" then break end
        j = j + 1
      end
      j = math.min(j, n)
      out[#out + 1] = paint("string", code:sub(i, j))
    elseif code:match("^%d", i) or code:match("^%.%d", i) then   -- number
      local s = code:match("^0[xX][%x%.]+[pP]?[-+]?%d*", i) or code:match("^%d*%.?%d*[eE][-+]?%d+", i)
                or code:match("^%d*%.?%d*", i)
      j = i + #s - 1
      out[#out + 1] = paint("number", s)
    elseif code:match("^[%a_]", i) then                          -- name
      local s = code:match("^[%w_]+", i)
      j = i + #s - 1
      out[#out + 1] = keywords[s] and paint("keyword", s) or s
    else
      j = i
      out[#out + 1] = c
    end
    i = j + 1
  end
  return table.concat(out)
end

--- render.code(text, lang, paint, prefix) -> the code block, each line prefixed
function render.code(text, lang, paint, prefix)
  text = render.clean(text:gsub("\n$", ""))
  prefix = prefix or "    "
  local lines = {}
  for line in (text .. "\n"):gmatch("(.-)\n") do
    lines[#lines + 1] = prefix .. (lang == "lua" and render.highlight_lua(line, paint) or paint("dim", line))
  end
  return table.concat(lines, "\n")
end

---------------------------------------------------------------------------
-- Paragraph wrapping
---------------------------------------------------------------------------

-- spans -> list of tokens: {word = {{style, text}, ...}} | {space = true} | {br = true}
local function tokens(spans)
  local toks, word = {}, nil
  local function flush()
    if word then toks[#toks + 1] = {word = word} word = nil end
  end
  local function add(style, text)
    word = word or {}
    word[#word + 1] = {style, text}
  end
  for _, sp in ipairs(spans) do
    local names = {}
    for _, k in ipairs({"code", "strong", "emph", "link"}) do
      if sp[k] then names[#names + 1] = k end
    end
    local style = #names > 0 and table.concat(names, "+") or nil
    local text = render.clean(sp.text)
    if sp.code then
      add(style, text)
    else
      local pos = 1
      while pos <= #text do
        local s, e = text:find("[ \t\n]+", pos)
        if not s then
          add(style, text:sub(pos))
          break
        end
        if s > pos then add(style, text:sub(pos, s - 1)) end
        flush()
        if text:sub(s, e):find("\n") then toks[#toks + 1] = {br = true}
        else toks[#toks + 1] = {space = true} end
        pos = e + 1
      end
    end
    if sp.link and sp.link ~= sp.text and not sp.link:match("^#") then
      flush()
      toks[#toks + 1] = {space = true}
      toks[#toks + 1] = {word = {{"dim", "(" .. render.clean(sp.link) .. ")"}}}
    end
  end
  flush()
  return toks
end

--- render.wrap(spans, width, paint, color) -> list of lines
function render.wrap(spans, width, paint, color)
  local lines, cur, curw = {}, {}, 0
  local pending_space = false
  local function newline()
    lines[#lines + 1] = table.concat(cur)
    cur, curw, pending_space = {}, 0, false
  end
  for _, t in ipairs(tokens(spans)) do
    if t.br then newline()
    elseif t.space then pending_space = curw > 0
    else
      local parts, w = {}, 0
      for _, p in ipairs(t.word) do
        local style, text = p[1], p[2]
        local code = style and style:match("^code")
        if not color and code then text = "`" .. text .. "`" end
        parts[#parts + 1] = paint(style, text)
        w = w + dwidth(text)
      end
      if curw > 0 and curw + (pending_space and 1 or 0) + w > width then newline() end
      if pending_space and curw > 0 then
        cur[#cur + 1] = " "
        curw = curw + 1
      end
      pending_space = false
      cur[#cur + 1] = table.concat(parts)
      curw = curw + w
    end
  end
  if curw > 0 or #lines == 0 then newline() end
  return lines
end

---------------------------------------------------------------------------
-- Blocks
---------------------------------------------------------------------------

--- render.blocks(blocks, opts) -> text (ends with a newline unless empty)
-- opts: color (default render.color_on()), width (default render.width())
function render.blocks(blocks, opts)
  opts = opts or {}
  local color = opts.color
  if color == nil then color = render.color_on() end
  local paint = render.painter(color)
  local width = opts.width or render.width()
  local out = {}
  local prev
  for _, b in ipairs(blocks) do
    local indent = string.rep("  ", math.max(0, (b.indent or 0) - 1)) .. ((b.indent or 0) > 0 and "  " or "")
    local quote = string.rep(color and paint("dim", "│ ") or "> ", b.quote or 0)
    local first_prefix, prefix = quote .. indent, quote .. indent
    if b.bullet then
      local mark = b.bullet == "-" and (color and "•" or "-") or b.bullet
      first_prefix = quote .. string.rep("  ", math.max(0, b.indent - 1)) .. mark .. " "
      prefix = quote .. string.rep("  ", math.max(0, b.indent - 1)) .. string.rep(" ", dwidth(mark) + 1)
    end
    -- a blank line between blocks, except inside tight lists
    if prev and not (b.tight and prev.tight and (b.indent or 0) > 0) then out[#out + 1] = "" end
    local avail = math.max(20, width - dwidth(prefix:gsub("\27%[[%d;]*m", "")))
    if b.type == "heading" then
      local text = render.clean(b.text)
      local style = b.level == 1 and "h1" or b.level == 2 and "h2" or "h3"
      if color then
        out[#out + 1] = first_prefix .. paint(style, text)
      else
        out[#out + 1] = first_prefix .. text
        if b.level <= 2 then out[#out + 1] = prefix .. string.rep(b.level == 1 and "=" or "-", dwidth(text)) end
      end
    elseif b.type == "paragraph" then
      local lines = render.wrap(b.spans or {{text = b.text or ""}}, avail, paint, color)
      for i, l in ipairs(lines) do out[#out + 1] = (i == 1 and first_prefix or prefix) .. l end
    elseif b.type == "code" then
      local lang = (b.info or ""):match("^%s*(%S+)")
      if b.bullet then out[#out + 1] = first_prefix end
      out[#out + 1] = render.code(b.text or "", lang and lang:lower(), paint, prefix .. "    ")
    elseif b.type == "rule" then
      out[#out + 1] = prefix .. paint("dim", string.rep(color and "─" or "-", math.min(avail, 40)))
    elseif b.type == "html" then
      out[#out + 1] = prefix .. render.clean((b.text or ""):gsub("\n$", ""))
    end
    prev = b
  end
  if #out == 0 then return "" end
  return table.concat(out, "\n") .. "\n"
end

--- render.markdown(text, opts) -> text: parses and renders (errors become text)
function render.markdown(text, opts)
  local ok, blocks = pcall(markdown.parse, text or "")
  if not ok then return render.clean(text or "") .. "\n" end
  return render.blocks(blocks, opts)
end

return render
