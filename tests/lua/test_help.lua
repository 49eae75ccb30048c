-- help(): every public function, class and method of torch (with the Tensor
-- methods), nn, optim, data, plot and torch.checkpoint has a doc whose first
-- line names it; the C docs' examples run and show the values they claim;
-- help() lists topics; names, instances and unknown values are answered.

local T = require "ember.test"

-- Before anything asks for help: the prelude must not have loaded it.
local loaded_at_start = false
for _, m in ipairs({"ember.help", "ember.help_source", "ember.help_index", "ember.help_format", "torch.doc"}) do
  if package.loaded[m] ~= nil then loaded_at_start = true end
end

local help = require "ember.help"
local docs = require "torch.doc"

local function first_line(s) return s and s:match("^[^\n]*") end
local function mentions(text, word)
  return text ~= nil and text:find("%f[%w_]" .. word:gsub("%p", "%%%0") .. "%f[^%w_]") ~= nil
end
local function public(k) return type(k) == "string" and k:sub(1, 1) ~= "_" end
local function sorted_keys(t)
  local ks = {}
  for k in pairs(t) do if public(k) then ks[#ks + 1] = k end end
  table.sort(ks)
  return ks
end
local function is_c(f) return type(f) == "function" and debug.getinfo(f, "S").what == "C" end

---------------------------------------------------------------------------
-- The inventory: every public item, found by walking the modules
---------------------------------------------------------------------------

local items = {}     -- {name=, value=, by_name=bool}
local seen_class = {}

-- C functions are checked by name too: one C function may serve several
-- names (torch.clamp and torch.clip), and its value maps to one of them.
local function item(name, value, by_name)
  items[#items + 1] = {name = name, value = value, by_name = by_name or is_c(value)}
end

local function class_methods(name, cls)
  for _, k in ipairs(sorted_keys(cls)) do
    local f = rawget(cls, k)
    if type(f) == "function" then item(name .. "." .. k, f) end
  end
end

local function class_item(name, cls)
  if seen_class[cls] then return end
  seen_class[cls] = true
  item(name, cls)
  class_methods(name, cls)
end

local function is_class(v)
  if type(v) ~= "table" then return false end
  if rawget(v, "__defined_at") or rawget(v, "__index") == v then return true end
  local mt = getmetatable(v)
  return type(mt) == "table" and mt.__call ~= nil
end

-- The methods an instance reaches through its metatable.
local function instance_methods(name, inst)
  local m = help.methods_table(inst)
  T.ok(m, "no methods table for " .. name)
  for _, k in ipairs(sorted_keys(m)) do
    if type(m[k]) == "function" then item(name .. "." .. k, m[k]) end
  end
end

local function namespace(name, t, depth)
  item(name, t)
  for _, k in ipairs(sorted_keys(t)) do
    local v = rawget(t, k)
    local full = name .. "." .. k
    if type(v) == "function" then
      item(full, v)
    elseif is_class(v) then
      class_item(full, v)
    elseif type(v) == "table" and depth > 1 and not getmetatable(v) and k ~= "dirs" then
      namespace(full, v, depth - 1)
    end
  end
end

-- torch (the lazy parts loaded first: every name of every lazy namespace, torch.lazy)
for _, k in ipairs({"nn", "optim", "utils", "checkpoint", "datasets", "onnx", "model_file"}) do local _ = torch[k] end
require("torch.lazy").load_everything()
for _, k in ipairs(sorted_keys(torch)) do
  local v = rawget(torch, k)
  if k == "Tensor" or k == "nn" or k == "optim" or k == "utils" then
    -- below
  elseif type(v) == "function" then
    item("torch." .. k, v)
  elseif is_class(v) then
    class_item("torch." .. k, v)
  elseif type(v) == "table" then
    namespace("torch." .. k, v, 2)
  end
end
-- Tensor methods (C): by name and by value, and the properties
item("Tensor", torch.Tensor)
for _, k in ipairs(sorted_keys(torch.Tensor)) do item("Tensor." .. k, torch.Tensor[k], true) end
local PROPERTIES = {"shape", "dtype", "device", "ndim", "grad", "requires_grad", "grad_fn", "is_leaf", "T", "data",
                    "is_cuda"}
do
  local w = torch.ones(2, {requires_grad = true})
  local y = w * 2
  y:sum():backward()
  for _, k in ipairs(PROPERTIES) do
    T.ok(w[k] ~= nil or y[k] ~= nil, "Tensor." .. k .. " is not a property")
    item("Tensor." .. k, nil, true)
  end
end
-- objects made in C: Generator, Size, grad_fn nodes, dtypes, devices
for _, k in ipairs(sorted_keys(getmetatable(torch.default_generator).__index)) do
  item("torch.Generator." .. k, getmetatable(torch.default_generator).__index[k], true)
end
local size_index = getmetatable(torch.zeros(1):size()).__index   -- a function: its methods are upvalue 1
for _, k in ipairs(sorted_keys(type(size_index) == "table" and size_index or select(2, debug.getupvalue(size_index, 1)))) do
  item("torch.Size." .. k, nil, true)
end
item("torch.Node.name", nil, true)
item("torch.Node.next_functions", nil, true)
-- torch.OrderedDict instances
instance_methods("torch.OrderedDict", torch.OrderedDict())

-- nn: classes and their methods, nn.Module, functional, init
namespace("nn", nn, 2)
class_item("nn.Module", nn.Module)
-- optim: optimizers, the base class, schedulers
namespace("optim", optim, 3)
class_item("optim.Optimizer", optim.Optimizer)
-- data: functions, and the methods of what they make
namespace("data", data, 1)
instance_methods("data.TensorDataset", data.TensorDataset(torch.zeros(2, 1)))
instance_methods("data.DataLoader", data.DataLoader(data.TensorDataset(torch.zeros(2, 1))))
-- datasets: what MNIST returns (the bundled test split loads in milliseconds)
instance_methods("torch.datasets.MNIST", torch.datasets.MNIST{train = false})
-- plot: functions, figures and live plots
namespace("plot", plot, 1)
instance_methods("plot.figure", plot.figure{})
instance_methods("plot.live", plot.live{terminal = "none"})
-- ember.versions: versioned model folders
namespace("ember.versions", require "ember.versions", 1)
namespace("ember.worker", require "ember.worker", 1)
namespace("torch.linalg", torch.linalg, 1)

---------------------------------------------------------------------------
-- Documentation of every item
---------------------------------------------------------------------------

local function check_items(filter)
  local missing, count = {}, 0
  for _, it in ipairs(items) do
    if filter(it) then
      count = count + 1
      local short = it.name:match("([^.]+)$")
      local d = it.by_name and help.doc(it.name) or help.doc(it.value)
      if not d or d == "" then
        missing[#missing + 1] = it.name .. " (no doc)"
      elseif not mentions(first_line(d), short) and
             not (short == "new" and mentions(first_line(d), it.name:match("([^.]+)%.new$"))) then
        missing[#missing + 1] = it.name .. " (first line does not name it: " .. first_line(d) .. ")"
      end
      if it.by_name and it.value ~= nil and not help.doc(it.value) then
        missing[#missing + 1] = it.name .. " (no doc for the value)"
      end
    end
  end
  return missing, count
end

local function report(what, missing, count)
  print(string.format("help: %s: %d items, %d documented", what, count, count - #missing))
  if #missing > 0 then
    error(#missing .. " undocumented " .. what .. ":\n  " .. table.concat(missing, "\n  "), 0)
  end
end

T.test("every C function and Tensor method has a doc naming it", function()
  local missing, count = check_items(function(it) return it.by_name or is_c(it.value) end)
  report("C functions and Tensor methods", missing, count)
  T.ok(count >= 250, "only " .. count .. " C items found")
end)

T.test("every public Lua function, class and method has a doc naming it", function()
  local missing, count = check_items(function(it) return not (it.by_name or is_c(it.value)) end)
  report("Lua items", missing, count)
end)

---------------------------------------------------------------------------
-- The C doc tables
---------------------------------------------------------------------------

T.test("C docs: signature line, summary, lines fit 80 columns", function()
  local bad = {}
  for _, name in ipairs(docs.names()) do
    local d = docs.get(name)
    if type(d) ~= "string" then
      bad[#bad + 1] = name .. ": alias to a missing name"
    else
      local lines = {}
      for line in (d .. "\n"):gmatch("(.-)\n") do lines[#lines + 1] = line end
      if #lines < 2 or lines[2] == "" then bad[#bad + 1] = name .. ": no summary line" end
      for i, line in ipairs(lines) do
        if #line > 80 then bad[#bad + 1] = string.format("%s line %d is %d columns", name, i, #line) end
      end
    end
  end
  T.ok(#bad == 0, table.concat(bad, "\n"))
end)

-- Runs the Example: lines of a doc; `code  --> value` checks the value.
local function squash(s) return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")) end

local function run_examples(name, text)
  local code, n = {}, 0
  local in_example = false
  for line in (text .. "\n"):gmatch("(.-)\n") do
    if line:match("^Example") then
      in_example = true
    elseif in_example and line:match("^  %-%->%s") and #code > 0 and not code[#code]:match("^;__check%(") then
      -- a long value on its own line: it belongs to the line above
      n = n + 1
      code[#code] = string.format(";__check(%d, %q, %s)", n, line:match("^  %-%->%s(.*)$"), code[#code]:sub(2))
    elseif in_example and line:match("^  ") then
      local src, expected = line:match("^  (.-)%s+%-%->%s(.*)$")
      if src then
        n = n + 1
        code[#code + 1] = string.format(";__check(%d, %q, %s)", n, expected, src)
      else
        code[#code + 1] = ";" .. line:sub(3)
      end
    else
      in_example = false
    end
  end
  if #code == 0 then return 0 end
  local env = setmetatable({}, {__index = _G})
  env.print = function() end
  env.__check = function(i, expected, ...)
    local got = table.pack(...)
    local parts = {}
    for k = 1, got.n do parts[k] = tostring(got[k]) end
    local s = table.concat(parts, ", ")
    if squash(s) ~= squash(expected) then
      error(string.format("%s example %d: got %s, the doc says %s", name, i, s, expected), 0)
    end
  end
  local chunk, err = load(table.concat(code, "\n"), "=" .. name .. " example", "t", env)
  if not chunk then error(name .. ": example does not compile: " .. err, 0) end
  chunk()
  return n
end

T.test("C docs: every example runs and shows the values it claims", function()
  local failures, checked = {}, 0
  for _, name in ipairs(docs.names()) do
    local raw = docs.raw(name)
    if type(raw) == "string" then
      local ok, n = pcall(run_examples, name, raw)
      if ok then checked = checked + n else failures[#failures + 1] = tostring(n) end
    end
  end
  print("help: " .. checked .. " example values checked")
  T.ok(#failures == 0, table.concat(failures, "\n"))
  T.ok(checked >= 200, "only " .. checked .. " example values")
end)

T.test("C docs: aliases give the signature first and the target's text", function()
  local d = help.doc("torch.exp")
  T.eq(first_line(d), "torch.exp(x) -> Tensor")
  T.ok(d:find("e^x, elementwise", 1, true), d)
  T.ok(d:find("See also: x:exp()", 1, true), d)
end)

---------------------------------------------------------------------------
-- help() and lookups
---------------------------------------------------------------------------

T.test("the prelude installs help without loading it", function()
  T.ok(not loaded_at_start, "ember.help or torch.doc was loaded at startup")
  T.ok(type(_G.help) == "table" and getmetatable(_G.help).__call, "no global help")
  T.eq(_G.help.doc, help.doc)
end)

T.test("help() lists the topics, each with documented names", function()
  local text = help.text()
  local topics = require "torch.doc.topics"
  T.ok(#topics >= 15, "only " .. #topics .. " topics")
  local unresolved = {}
  for _, t in ipairs(topics) do
    T.ok(text:find("\n  " .. t.id .. " ", 1, true), "topic " .. t.id .. " not listed")
    T.ok(help.doc(t.id) and help.doc(t.id):find(t.title, 1, true), "help(" .. t.id .. ")")
    for _, name in ipairs(t.names) do
      if not help.doc(name) then unresolved[#unresolved + 1] = t.id .. ": " .. name end
    end
  end
  for line in (text .. "\n"):gmatch("(.-)\n") do T.ok(#line <= 80, "wide line: " .. line) end
  T.ok(#unresolved == 0, "topic names without a doc:\n  " .. table.concat(unresolved, "\n  "))
end)

T.test("help by name: qualified, method, short and PyTorch spellings", function()
  T.eq(first_line(help.doc("torch.zeros")), first_line(help.doc(torch.zeros)))
  T.ok(mentions(first_line(help.doc("Tensor.view")), "view"))
  T.eq(help.doc("torch.Tensor.view"), help.doc("Tensor.view"))
  T.eq(help.doc("Tensor:view"), help.doc("Tensor.view"))
  T.eq(help.doc("zeros"), help.doc("torch.zeros"))
  T.eq(help.doc("torch.nn.functional.softmax"), help.doc(F.softmax))
  T.ok(mentions(first_line(help.doc("torch.Generator.manual_seed")), "manual_seed"))
  -- a path through a tensor value names the Tensor method
  _G.__help_x = torch.zeros(2)
  T.eq(help.doc("__help_x.view"), help.doc("Tensor.view"))
  T.eq(help.doc("__help_x:sum"), help.doc("Tensor.sum"))
  _G.__help_x = nil
  T.eq(help.doc("no_such_name_anywhere"), nil)
end)

T.test("a function shared by torch.NAME and Tensor.NAME", function()
  -- one C function serves both torch.sum and x.sum
  T.ok(rawequal(torch.sum, torch.Tensor.sum))
  T.ok(mentions(first_line(help.doc(torch.zeros(1).sum)), "sum"))
  T.ok(first_line(help.doc("Tensor.sum")):find("x:sum(", 1, true))
  T.ok(first_line(help.doc("torch.sum")):find("torch.sum(", 1, true))
end)

T.test("help on instances: tensor, module, optimizer, loader, dtype, generator", function()
  local x = torch.zeros(2, 3)
  T.eq(help.doc(x), help.doc("Tensor"))
  local page = help.text(x)
  T.ok(page:find("shape (2, 3)", 1, true), page)
  T.ok(page:find("view", 1, true), "tensor page lists methods")
  local layer = nn.Linear(3, 1)
  T.eq(help.doc(layer), help.doc(nn.Linear))
  T.ok(help.text(layer):find("An instance of Linear", 1, true))
  T.ok(help.text(layer):find("Inherited from Module", 1, true))
  local opt = optim.SGD(layer:parameters(), {lr = 0.1})
  T.eq(help.doc(opt), help.doc(optim.SGD))
  local loader = data.DataLoader(data.TensorDataset(torch.zeros(4, 1)), {batch_size = 2})
  T.eq(help.doc(loader), help.doc(data.DataLoader))
  T.eq(help.doc(torch.OrderedDict()), help.doc(torch.OrderedDict))
  T.ok(help.text(torch.OrderedDict()):find("keys", 1, true), "OrderedDict page lists its methods")
  T.ok(help.text(plot.figure{}):find("draw", 1, true), "figure page lists its methods")
  T.eq(help.doc(torch.float32), help.doc("torch.dtype"))
  T.eq(help.doc(torch.Generator()), help.doc("torch.Generator"))
  T.eq(help.doc(torch.device("cpu")), help.doc("torch.device"))
  T.eq(help.doc(x:size()), help.doc("torch.Size"))
  local y = (torch.ones(1, {requires_grad = true}) * 2)
  T.eq(help.doc(y.grad_fn), help.doc("torch.Node"))
end)

T.test("help on modules and namespaces lists members", function()
  T.ok(mentions(first_line(help.doc(nn)), "nn"), tostring(help.doc(nn)))
  T.ok(help.text(nn):find("Linear", 1, true))
  T.ok(help.doc(torch) ~= nil)
  T.ok(help.doc(torch.io) and mentions(first_line(help.doc(torch.io)), "io"))
  T.ok(help.text("torch.io"):find("read_idx", 1, true))
end)

T.test("unknown things get a message, never an error", function()
  local values = {42, 1.5, true, "no_such_name", {a = 1, b = 2}, function() end, coroutine.create(print),
                  setmetatable({}, {__index = function() error("boom") end}), io.stdout}
  for _, v in ipairs(values) do
    local ok, text = pcall(help.text, v)
    T.ok(ok, "help.text raised for " .. tostring(v) .. ": " .. tostring(text))
    T.ok(type(text) == "string" and #text > 0)
    T.eq(help.doc(v), nil, "a doc for " .. tostring(v))
  end
  T.ok(help.text({a = 1, b = 2}):find("a  b", 1, true), help.text({a = 1, b = 2}))
  T.ok(help.text(42):find("number", 1, true))
  T.ok(help.text(nil):find("nil", 1, true))
  T.ok(help.text("zero"):find("torch.zeros", 1, true), "suggests close names")
end)

T.test("doc blocks are read from the source above a definition", function()
  local path = os.tmpname()
  local f = assert(io.open(path, "w"))
  f:write([[
local M = {}
-- a plain comment, not a doc

--- M.add(a, b) -> number
-- Adds two numbers.
-- Example: M.add(1, 2)
function M.add(a, b) return a + b end

-- an implementation note only
function M.sub(a, b) return a - b end

---------------------------------------------------------------
--- Net(hidden): a small model.
local Net = nn.Module:extend("Net")
function Net:__init() nn.Module.__init(self) end

--- Net:forward(x) -> x
function Net:forward(x) return x end
M.Net = Net

local function make(n) return function() return n end end
--- M.one() -> 1 / M.two() -> 2: made by a factory.
M.one = make(1)
M.two = make(2)

local function layer(name)
  local L = nn.Module:extend(name)
  function L:__init() nn.Module.__init(self) end
  return L
end
--- Foo(): a class made by a factory.
M.Foo = layer("Foo")
return M
]])
  f:close()
  local M = dofile(path)
  T.eq(help.doc(M.add), "M.add(a, b) -> number\nAdds two numbers.\nExample: M.add(1, 2)")
  T.eq(help.doc(M.sub), nil)
  T.eq(help.doc(M.Net), "Net(hidden): a small model.")
  T.eq(help.doc(M.Net()), "Net(hidden): a small model.")
  T.eq(help.doc(M.Net.forward), "Net:forward(x) -> x")
  T.ok(help.text(M.Net):find("forward  Net:forward(x) -> x", 1, true), help.text(M.Net))
  _G.__help_M = M     -- a function made by a factory, found by its name
  T.eq(help.doc("__help_M.two"), "M.one() -> 1 / M.two() -> 2: made by a factory.")
  _G.__help_M = nil
  T.eq(help.doc(M.Foo), "Foo(): a class made by a factory.")
  os.remove(path)
  -- chunks loaded from strings keep their text as the source
  local g = load("--- g(x): doubles x.\nreturn function(x) return 2 * x end")()
  T.eq(help.doc(g), "g(x): doubles x.")
end)

T.test("help(x) prints the page", function()
  local out = {}
  local saved = _G.print
  _G.print = function(...) out[#out + 1] = table.concat({...}, "\t") end
  local ok, err = pcall(_G.help, torch.zeros)
  _G.print = saved
  T.ok(ok, tostring(err))
  T.eq(out[1], help.text(torch.zeros))
end)

T.run()
