-- ember.lesson.parse — a lesson's Markdown turned into what the runner steps
-- through: the title, the cells (```lua blocks, each with the prose shown
-- before it, its optional ```output, ```check and ```hint blocks, its
-- Python twin — a ```python block right after it — and the ```predict
-- block before it, parsed by ember.lesson.predict), the
-- prose after the last cell, and the exercise ids named under "## Practice".
-- A malformed lesson gives nil, "FILE:LINE: what is wrong" — never a crash.
-- Not here: Markdown itself (C, ember.markdown), rendering, running.
local markdown = require "ember.markdown"
local predict = require "ember.lesson.predict"

local parse = {}

-- "lua id=make-data" -> "lua", {id = "make-data"}
local function split_info(info)
  local lang = (info:match("^%s*(%S+)") or ""):lower()
  local attrs = {}
  for k, v in info:gmatch("([%w_%-]+)=(%S+)") do attrs[k] = v end
  return lang, attrs
end

--- parse.info(info) -> language, attributes (exported for tests)
parse.info = split_info

local attached = {output = true, check = true, hint = true}

--- parse.lesson(text, name) -> lesson | nil, message
-- lesson = {title, cells = {{id, index, code, line, prose, output, output_line,
--           check, check_line, hint, python, python_line, predict}},
--           tail = {blocks}, practice = {ids}, blocks}
-- A ```python block is the cell's twin when only the cell's own blocks
-- (output, check, hint) stand between the cell and it; after prose it is
-- prose, shown and not run.
function parse.lesson(text, name)
  name = name or "lesson"
  if type(text) ~= "string" then return nil, name .. ": not a string" end
  local ok, blocks = pcall(markdown.parse, text)
  if not ok then return nil, name .. ": " .. tostring(blocks) end

  local lesson = {cells = {}, practice = {}, blocks = blocks, tail = {}}
  local prose = {}
  local cell                      -- the last lua cell, owner of output/check/hint
  local open = false              -- nothing but the cell's own blocks since it
  local pending                   -- a ```predict block waiting for its cell
  local ids = {}
  local function err(line, msg) return nil, string.format("%s:%d: %s", name, line or 0, msg) end

  for _, b in ipairs(blocks) do
    if b.type == "heading" and b.level == 1 and not lesson.title then
      lesson.title = b.text
      lesson.title_line = b.line
      prose[#prose + 1] = b
    elseif b.type == "code" then
      local lang, attrs = split_info(b.info)
      if lang == "lua" then
        local index = #lesson.cells + 1
        local id = attrs.id or ("step-" .. index)
        if not id:match("^[%w][%w_%-%.]*$") then
          return err(b.line, "bad cell id '" .. id .. "' (letters, digits, '-', '_', '.')")
        end
        if ids[id] then
          return err(b.line, "cell id '" .. id .. "' is used twice (also line " .. ids[id] .. ")")
        end
        ids[id] = b.line
        cell = {id = id, index = index, code = b.text, line = b.line, prose = prose, predict = pending}
        lesson.cells[index] = cell
        prose = {}
        open, pending = true, nil
      elseif lang == "predict" then
        if pending then
          return err(b.line, "two ```predict blocks for one cell (the first on line " .. pending.line .. ")")
        end
        local p, perr = predict.parse(b.text)
        if not p then return err(b.line, "```predict: " .. perr) end
        p.line = b.line
        pending = p
        open = false
      elseif lang == "python" and open and not cell.python then
        cell.python = b.text
        cell.python_line = b.line
      elseif attached[lang] then
        if not cell then
          return err(b.line, "a ```" .. lang .. " block must follow a ```lua cell")
        end
        if cell[lang] then
          return err(b.line, string.format("cell '%s' (line %d) already has a ```%s block (line %d)",
            cell.id, cell.line, lang, cell[lang .. "_line"]))
        end
        cell[lang] = b.text
        cell[lang .. "_line"] = b.line
      else
        prose[#prose + 1] = b
        open = false
      end
    else
      prose[#prose + 1] = b
      open = false
    end
  end
  if pending then return err(pending.line, "a ```predict block must come before a ```lua cell") end
  lesson.tail = prose
  if not lesson.title then return err(1, "a lesson needs a `# Title` heading") end
  if #lesson.cells == 0 then return err(1, "a lesson needs at least one ```lua cell") end

  -- Practice: exercise ids named as `ember exercise check ID` after a
  -- "Practice" heading, until the next heading of the same or a higher level.
  local in_practice, level
  for _, b in ipairs(blocks) do
    if b.type == "heading" then
      if b.text:match("^%s*Practice") then
        in_practice, level = true, b.level
      elseif in_practice and b.level <= level then
        in_practice = false
      end
    elseif in_practice and b.text then
      for id in b.text:gmatch("ember exercise check ([%w_%-]+)") do
        lesson.practice[#lesson.practice + 1] = id
      end
    end
  end
  return lesson
end

--- parse.file(path[, name]) -> lesson | nil, message
function parse.file(path, name)
  local f, ferr = io.open(path, "rb")
  if not f then return nil, ferr end
  local text = f:read("a")
  f:close()
  local lesson, err = parse.lesson(text or "", name or path)
  if lesson then lesson.source = text end
  return lesson, err
end

return parse
