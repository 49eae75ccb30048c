-- Containers that hold modules or parameters without calling them in a
-- fixed order: nn.ModuleList, nn.ModuleDict, nn.ParameterList. Their
-- children are registered as PyTorch's (ModuleList's and ParameterList's
-- named "0", "1", ...), so parameters(), state_dict() keys ("layers.0.weight")
-- and print(model) are PyTorch's. Positions are 1-based, as nn.Sequential's:
-- list[1] (or list:at(1)) is PyTorch's list[0]. Not here: nn.Sequential
-- (torch.nn.simple), which also has a forward.
local torch = require "torch"
local M = require "torch.nn.module"
local Module, Parameter = M.Module, M.Parameter

local containers = {}

local function is_list(v)
  return type(v) == "table" and getmetatable(v) == nil
end

-- The 1-based position i of a list of n items as an index 1..n (negative
-- counts from the end); what names the error: "ModuleList:at".
local function position(what, i, n, allow_end)
  if math.type(i) ~= "integer" then error(string.format("%s: expected an integer position, got %s", what,
    tostring(i)), 3) end
  if i == 0 then
    error(what .. ": positions are 1-based in ember: 1 is PyTorch's index 0 (-1 is the last)", 3)
  end
  local j = i < 0 and n + i + 1 or i
  local hi = allow_end and n + 1 or n
  if j < 1 or j > hi then
    error(string.format("%s: index %d is out of range (the list holds %d)", what, i, n), 3)
  end
  return j
end

-- The items of a list-like module in order, from its registry (an
-- OrderedDict named "0", "1", ...).
local function items_of(reg)
  local out = {}
  for _, v in pairs(reg) do out[#out + 1] = v end
  return out
end

-- Re-registers items under "0", "1", ... (after an insert or removal).
local function renumber(reg, items)
  for _, k in ipairs(reg:keys()) do reg:remove(k) end
  for i, v in ipairs(items) do reg:set(tostring(i - 1), v) end
end

---------------------------------------------------------------------------
--- nn.ModuleList([modules])
-- Holds modules in a list, registered as children "0", "1", ... so their
-- parameters are the model's (model:parameters(), state_dict keys
-- "layers.0.weight") and print(model) shows them; unlike nn.Sequential it
-- has no forward: loop over it in yours. Positions are 1-based: list[1] is
-- the first (PyTorch's list[0]), list[-1] the last; #list is its length;
-- ipairs(list) walks it. Methods: append, extend, insert, pop, at, len.
-- Example:
--   local Net = nn.Module:extend("Net")
--   function Net:__init()
--     nn.Module.__init(self)
--     self.layers = nn.ModuleList({nn.Linear(4, 4), nn.Linear(4, 4)})
--   end
--   function Net:forward(x)
--     for _, layer in ipairs(self.layers) do x = layer(x):relu() end
--     return x
--   end
local ModuleList = Module:extend("ModuleList")
function ModuleList:__init(modules)
  Module.__init(self)
  if modules ~= nil then self:extend(modules) end
end

local function check_module(what, m)
  if not Module.is_module(m) then
    error(string.format("%s: %s is not a Module subclass", what, type(m) == "table" and "a table" or type(m)), 3)
  end
end

--- list:append(m) -> list
-- Adds module m at the end (named by its 0-based position, as PyTorch).
function ModuleList:append(m)
  check_module("ModuleList.append", m)
  self:add_module(tostring(#self:children()), m)
  return self
end

--- list:extend(modules) -> list
-- Appends every module of a Lua list or of another nn.ModuleList, in order.
function ModuleList:extend(modules)
  local src = modules
  if Module.is_module(modules) and modules:class() == ModuleList then src = modules:children()
  elseif not is_list(modules) then
    error("ModuleList.extend should be called with an iterable (a Lua list or a ModuleList), but got " ..
      (Module.is_module(modules) and modules:class_name() or type(modules)), 2)
  end
  for i = 1, #src do
    if not Module.is_module(src[i]) then
      error(string.format("nn.ModuleList: item %d is a %s, not a Module", i, type(src[i])), 2)
    end
  end
  for i = 1, #src do self:add_module(tostring(#self:children()), src[i]) end
  return self
end

--- list:insert(i, m) -> list
-- Inserts module m before position i (1-based; #list + 1 appends; -1
-- inserts before the last); the later modules move up one and are renamed
-- ("1" becomes "2"), as PyTorch's insert.
function ModuleList:insert(i, m)
  check_module("ModuleList.insert", m)
  local items = items_of(rawget(self, "_modules"))
  local j = position("ModuleList.insert", i, #items, true)
  table.insert(items, j, m)
  renumber(rawget(self, "_modules"), items)
  return self
end

--- list:pop([i = -1]) -> module
-- Removes and returns the module at position i (1-based; the last by
-- default); the later modules are renamed to keep "0", "1", ... contiguous.
function ModuleList:pop(i)
  local items = items_of(rawget(self, "_modules"))
  local j = position("ModuleList.pop", i or -1, #items)
  local m = table.remove(items, j)
  renumber(rawget(self, "_modules"), items)
  return m
end

--- list:at(i) -> module
-- The module at 1-based position i (negative counts from the end); out of
-- range is an error. list[i] is the same, except that past the end is nil
-- (so ipairs stops).
function ModuleList:at(i)
  local items = self:children()
  return items[position("ModuleList.at", i, #items)]
end

--- list:len() -> number of modules
-- PyTorch's len(list); #list is the same.
function ModuleList:len() return #self:children() end
ModuleList.__len = ModuleList.len

function ModuleList:__getitem(i)
  local n = #self:children()
  if i ~= 0 and (i > n or i < -n) then return nil end
  return self:at(i)
end

-- list[i] = m replaces the module at position i (the name stays).
function ModuleList:__setitem(i, m)
  check_module("ModuleList", m)
  local j = position("ModuleList", i, #self:children())
  rawget(self, "_modules"):set(tostring(j - 1), m)
end
containers.ModuleList = ModuleList

---------------------------------------------------------------------------
--- nn.ModuleDict([modules])
-- Holds modules by name, in insertion order, registered as children under
-- those names (state_dict keys "heads.cls.weight"). modules: a list of
-- {name, module} pairs (kept in that order), a torch.OrderedDict, another
-- ModuleDict, or a table of name = module (a Lua table has no order: those
-- go in sorted name order; give pairs when the order matters). Read and
-- write by name: dict.cls, dict["cls"], dict["cls"] = nn.Linear(2, 3).
-- Methods: keys, values, items, len, contains, update, pop, clear.
-- Example:
--   local heads = nn.ModuleDict({{"cls", nn.Linear(8, 10)}, {"box", nn.Linear(8, 4)}})
--   heads:keys()  --> {"cls", "box"}
local ModuleDict = Module:extend("ModuleDict")
function ModuleDict:__init(modules)
  Module.__init(self)
  if modules ~= nil then self:update(modules) end
end

--- dict:update(modules) -> dict
-- Adds (or replaces) the modules of a list of {name, module} pairs, an
-- OrderedDict, a ModuleDict or a table of name = module (sorted by name).
function ModuleDict:update(modules)
  local pairs_list = {}
  if Module.is_module(modules) and modules:class() == ModuleDict then pairs_list = modules:items()
  elseif torch.OrderedDict.is(modules) then
    for k, v in pairs(modules) do pairs_list[#pairs_list + 1] = {k, v} end
  elseif is_list(modules) then
    local named = {}
    for k in pairs(modules) do
      if math.type(k) == "integer" and k >= 1 and k <= #modules then
        local kv = modules[k]
        if not is_list(kv) or #kv ~= 2 then
          error(string.format("ModuleDict update sequence element #%d should be a {name, module} pair", k - 1), 2)
        end
        pairs_list[k] = kv
      else
        named[#named + 1] = k
      end
    end
    table.sort(named, function(a, b) return tostring(a) < tostring(b) end)
    for _, k in ipairs(named) do pairs_list[#pairs_list + 1] = {k, modules[k]} end
  else
    error("ModuleDict.update should be called with a list of {name, module} pairs, a table of name = module, an " ..
      "OrderedDict or a ModuleDict, but got " .. (Module.is_module(modules) and modules:class_name() or type(modules)),
      2)
  end
  for _, kv in ipairs(pairs_list) do
    if type(kv[1]) ~= "string" then error("ModuleDict: names must be strings, got " .. type(kv[1]), 2) end
    check_module("ModuleDict", kv[2])
  end
  for _, kv in ipairs(pairs_list) do self:add_module(kv[1], kv[2]) end
  return self
end

--- dict:keys() -> list of names
-- The names, in insertion order.
function ModuleDict:keys() return rawget(self, "_modules"):keys() end

--- dict:values() -> list of modules
-- The modules, in insertion order.
function ModuleDict:values() return self:children() end

--- dict:items() -> list of {name, module}
-- The {name, module} pairs, in insertion order:
-- for _, kv in ipairs(dict:items()) do print(kv[1], kv[2]) end
function ModuleDict:items() return self:named_children() end

--- dict:len() -> number of modules
-- PyTorch's len(dict); #dict is the same.
function ModuleDict:len() return #self:children() end
ModuleDict.__len = ModuleDict.len

--- dict:contains(name) -> boolean
-- PyTorch's `name in dict`.
function ModuleDict:contains(name) return rawget(self, "_modules"):contains(name) end

--- dict:pop(name) -> module
-- Removes the module named name and returns it; a missing name is an error.
function ModuleDict:pop(name)
  local reg = rawget(self, "_modules")
  if not reg:contains(name) then error("ModuleDict.pop: no module named '" .. tostring(name) .. "'", 2) end
  local m = reg[name]
  reg:remove(name)
  return m
end

--- dict:clear()
-- Removes every module.
function ModuleDict:clear()
  local reg = rawget(self, "_modules")
  for _, k in ipairs(reg:keys()) do reg:remove(k) end
end
containers.ModuleDict = ModuleDict

---------------------------------------------------------------------------
--- nn.ParameterList([parameters])
-- Holds parameters in a list, registered as "0", "1", ... (state_dict keys
-- "weights.0"), so they are the model's: model:parameters() and the
-- optimizer see them. A plain tensor given is made an nn.Parameter, as
-- PyTorch's. Positions are 1-based: list[1] is PyTorch's list[0]; #list,
-- ipairs(list), append, extend, at, len.
-- Example:
--   self.scales = nn.ParameterList({torch.ones(3), torch.ones(3)})
local ParameterList = Module:extend("ParameterList")
function ParameterList:__init(params)
  Module.__init(self)
  if params ~= nil then self:extend(params) end
end

local function as_parameter(what, p)
  if not torch.is_tensor(p) then
    error(string.format("%s: expected a tensor (nn.Parameter), got %s", what, type(p)), 3)
  end
  return Parameter.is(p) and p or Parameter.new(p)
end

--- plist:append(p) -> plist
-- Adds tensor p (made an nn.Parameter) at the end.
function ParameterList:append(p)
  self:register_parameter(tostring(self:len()), as_parameter("ParameterList.append", p))
  return self
end

--- plist:extend(params) -> plist
-- Appends every tensor of a Lua list or of another ParameterList.
function ParameterList:extend(params)
  local src = params
  if Module.is_module(params) and params:class() == ParameterList then src = items_of(rawget(params, "_parameters"))
  elseif not is_list(params) then
    error("ParameterList.extend should be called with an iterable (a Lua list or a ParameterList), but got " ..
      (Module.is_module(params) and params:class_name() or type(params)), 2)
  end
  local ps = {}
  for i = 1, #src do ps[i] = as_parameter("nn.ParameterList", src[i]) end
  for i = 1, #ps do self:register_parameter(tostring(self:len()), ps[i]) end
  return self
end

--- plist:at(i) -> Parameter
-- The parameter at 1-based position i (negative counts from the end).
function ParameterList:at(i)
  local items = items_of(rawget(self, "_parameters"))
  return items[position("ParameterList.at", i, #items)]
end

--- plist:len() -> number of parameters
-- PyTorch's len(plist); #plist is the same.
function ParameterList:len() return rawget(self, "_parameters"):len() end
ParameterList.__len = ParameterList.len

function ParameterList:__getitem(i)
  local n = self:len()
  if i ~= 0 and (i > n or i < -n) then return nil end
  return self:at(i)
end

-- plist[i] = t replaces the parameter at position i.
function ParameterList:__setitem(i, p)
  local j = position("ParameterList", i, self:len())
  self:register_parameter(tostring(j - 1), as_parameter("ParameterList", p))
end

--- plist:extra_repr() -> "(0): Parameter containing: [torch.float32 of size 3x4]" lines
-- One line per parameter, as PyTorch prints a ParameterList.
function ParameterList:extra_repr()
  local lines = {}
  for i, p in ipairs(items_of(rawget(self, "_parameters"))) do
    local dims = {}
    for d = 1, p:dim() do dims[d] = tostring(p:size(d)) end
    local dev = p.is_cuda and string.format(" (GPU %d)", p.device.index or 0) or ""
    lines[i] = string.format("  (%d): Parameter containing: [%s of size %s%s]", i - 1, tostring(p.dtype),
      table.concat(dims, "x"), dev)
  end
  return table.concat(lines, "\n")
end
containers.ParameterList = ParameterList

return containers
