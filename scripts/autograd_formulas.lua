-- scripts/autograd_formulas.lua — writes lua/torch/autograd_formulas.lua,
-- the derivative formula of each grad_fn node as written in the comment
-- above its backward in src/autograd/grad_*.c (the one place a formula is
-- written), for torch.autograd.explain. Run from the repository root:
--   build/ember run scripts/autograd_formulas.lua > lua/torch/autograd_formulas.lua
-- tests/lua/test_autograd_hooks.lua regenerates it and compares, so a
-- formula changed in C without regenerating fails there.
--
-- Where a node's name comes from:
--   - `case EM_U_ID: /* formula */` (and EM_B_) inside a backward: the op
--     table row of ID (src/core/op_table.h) gives the node's name;
--   - the comment block right above `static em_status fn(...)`: every node
--     name literal ("XxxBackward0") on a line that also names fn (the
--     em_record / with_node calls), or, in a file that records through one
--     backward only, every literal of that file.
-- A comment's lines about node data (n->ints, slots, "Node data") are left
-- out: they are the implementation, not the formula.
local args = {...}

local function read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("a")
  f:close()
  return s
end

local function lines_of(s)
  local t = {}
  for l in (s .. "\n"):gmatch("([^\n]*)\n") do t[#t + 1] = l end
  return t
end

local function clean(text)
  local out = {}
  for part in text:gmatch("[^\n]+") do
    part = part:gsub("^%s*/%*+", ""):gsub("^%s*%*%*?", ""):gsub("%*/%s*$", ""):gsub("^%s+", ""):gsub("%s+$", "")
    if part:match("^Node data") or part:match("n%->") or part:match("^%-%-%-") or part:match("slot %d") then break end
    if part ~= "" then out[#out + 1] = part end
  end
  return table.concat(out, " ")
end

-- op table: ID -> node name, for unary (U) and binary (B) rows
local op_nodes = {U = {}, B = {}}
local section
for _, l in ipairs(lines_of(read("src/core/op_table.h"))) do
  if l:match("#define EM_UNARY_OPS") then section = "U"
  elseif l:match("#define EM_BINARY_OPS") then section = "B"
  elseif l:match("^#define") then section = nil end
  local id = section and l:match("^%s*X%((%w+)%s*,")
  local node = l:match('"([%w_]+Backward%d*)"')
  if id and node then op_nodes[section][id] = node end
end

local formulas = {}   -- name -> {formula, source}
local function add(name, formula, where)
  if name and formula ~= "" and not formulas[name] then formulas[name] = {formula = formula, source = where} end
end

local files = {}
local p = io.popen("ls src/autograd/grad_*.c")
for f in p:lines() do files[#files + 1] = f end
p:close()
table.sort(files)

for _, file in ipairs(files) do
  local L = lines_of(read(file))
  -- 1. case labels with a comment
  for i, l in ipairs(L) do
    local kind, id, rest = l:match("case EM_([UB])_(%w+):%s*{?%s*(/%*.*)$")
    if kind then
      local text = rest
      local j = i
      while not text:match("%*/") and L[j + 1] do
        j = j + 1
        text = text .. "\n" .. L[j]
      end
      add(op_nodes[kind][id], clean(text), file)
    end
  end
  -- 2. comment blocks above backward functions
  local fns = {}
  for i, l in ipairs(L) do
    local fn = l:match("^static em_status ([%w_]+)%(em_node %*")
    if fn and L[i - 1] and L[i - 1]:match("%*/%s*$") then
      local j = i - 1
      local block = L[j]
      while not L[j]:match("^%s*/%*") and j > 1 do
        j = j - 1
        block = L[j] .. "\n" .. block
      end
      fns[#fns + 1] = {name = fn, text = clean(block), line = j}
    end
  end
  local recorded = {}
  for _, l in ipairs(L) do
    for fn in l:gmatch("[(,]%s*([%w_]+_backward)%s*[,)]") do recorded[fn] = true end
  end
  local only
  for fn in pairs(recorded) do only = only == nil and fn or false end
  -- the C function a line is in: the last definition at column 0 above it
  local function enclosing(i)
    for j = i, 1, -1 do
      local name = L[j]:match("^[%w_][%w_ %*]-[%s%*]([%w_]+)%(")
      if name then return name, j end
    end
  end
  local function take(l, f)
    for name in l:gmatch('"([%w_:]*Backward%d*)"') do add(name, f.text, file) end
    for name in l:gmatch('"(CopySlices)"') do add(name, f.text, file) end
  end
  for _, f in ipairs(fns) do
    for i, l in ipairs(L) do
      local names_fn = l:match("[(,]%s*" .. f.name .. "%s*[,)]") and not l:match("^static")
      local lone = only == f.name and not l:match("_backward")
      if names_fn or lone then take(l, f) end
      -- the name is a variable here: the literals of the enclosing function
      -- up to this line, and of the lines that call it
      if names_fn and not l:match('"[%w_:]*Backward%d*"') then
        local outer, from = enclosing(i)
        if outer then
          for j = from, i do take(L[j], f) end
          for _, m in ipairs(L) do
            if m:match("[^%w_]" .. outer .. "%(") then take(m, f) end
          end
        end
      end
    end
  end
end

local names = {}
for k in pairs(formulas) do names[#names + 1] = k end
table.sort(names)
local out = {
  "-- torch.autograd_formulas — GENERATED by scripts/autograd_formulas.lua from the",
  "-- comment above each backward in src/autograd/grad_*.c; do not edit, regenerate:",
  "--   build/ember run scripts/autograd_formulas.lua > lua/torch/autograd_formulas.lua",
  "-- grad_fn name -> {formula = the comment, source = the file it is in}. g is the gradient",
  "-- of the node's output; \" ; \" separates what goes to each input.",
  "return {",
}
for _, k in ipairs(names) do
  out[#out + 1] = string.format("  [%q] = {formula = %q, source = %q},", k, formulas[k].formula, formulas[k].source)
end
out[#out + 1] = "}"
local text = table.concat(out, "\n") .. "\n"
if args[1] == "--return" then return text end
io.write(text)
