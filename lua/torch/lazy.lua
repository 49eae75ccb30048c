-- torch.lazy — namespaces whose names load on first use (torch, nn, F,
-- optim, optim.lr_scheduler), so that start-up (`ember run`, the REPL) reads
-- only the Lua modules a script touches. The names stay where PyTorch has
-- them (nn.LayerNorm, optim.RMSprop, F.one_hot, torch.einsum); the module
-- that defines a name is required the first time the name is read. A
-- namespace declares, once, where its names come from:
--
--   lazy.namespace(nn, {id = "torch.nn", name = "nn",
--     families = {"torch.nn.layers", ...},   -- modules defining several names
--     modules = {functional = "torch.nn.functional", ...}})  -- a name = a module
--
-- A family is a module returning a table of names (its public ones are
-- copied into the namespace) or a function(namespace) that adds them (and
-- may add methods to a methods table: spec.methods = {id = "torch.Tensor",
-- table = torch.Tensor}, whose lazy names are small functions that load the
-- family and call the method; the family then replaces them). Which
-- names each family defines is read from torch.lazy_index, generated from
-- the families themselves by scripts/lazy_index.lua (and checked by
-- tests/lua/test_lazy_index.lua). A name that is in no family (a typo, or an
-- index that was not regenerated) loads every family of the namespace once
-- before the "did you mean" error: a stale index costs time, never a name.
--
-- lazy.names(ns) lists every name without loading anything (tab completion
-- reads the same list from the metatable's __lazy_names); lazy.load_all(ns)
-- and lazy.load_everything() load them all (help's index, the coverage page,
-- the tests that walk the namespaces).
-- Not here: the names themselves, or the "did you mean" rule (torch.options).
local options = require "torch.options"

local lazy = {}

local INDEX = require "torch.lazy_index"
local specs = setmetatable({}, {__mode = "k"})     -- namespace table -> its spec
local order = {}                                   -- the specs in the order made (for the generator)

-- Requires family and puts its names into ns (all of them: a family is
-- loaded whole, so that later reads are plain table reads).
local function install(ns, spec, family)
  if spec.loaded[family] ~= nil then return end
  spec.loaded[family] = false                      -- loading: a read of ns from the family itself waits
  local ok, m = pcall(require, family)
  if not ok then
    spec.loaded[family] = nil                      -- the next read tries again (and raises again)
    error(m, 0)
  end
  if type(m) == "function" then
    m(ns, spec.install_args)
  else
    for k, v in pairs(m) do
      if type(k) == "string" and k:sub(1, 1) ~= "_" then rawset(ns, k, v) end
    end
  end
  spec.loaded[family] = true
end

local function load_module(ns, spec, k)
  local m = spec.modules[k]
  local v
  if type(m) == "function" then v = m() else v = require(m) end
  rawset(ns, k, v)
  return v
end

local function load_families(ns, spec)
  for _, family in ipairs(spec.families) do install(ns, spec, family) end
  spec.all = true
end

local function index(ns, k)
  local spec = specs[ns]
  if type(k) ~= "string" or k:sub(1, 2) == "__" then return nil end
  if spec.modules[k] ~= nil then return load_module(ns, spec, k) end
  local family = spec.index[k]
  if family then
    install(ns, spec, family)
    local v = rawget(ns, k)
    if v ~= nil then return v end
  end
  if not spec.all then
    load_families(ns, spec)
    return rawget(ns, k)
  end
  return nil
end

--- lazy.namespace(t, spec) -> t
-- Makes t a namespace whose names load on first read (see the top of this
-- file); spec = {id =, name =, families = {...}, modules = {name = module or
-- function() -> value}[, methods = {id =, table =}][, install_args =]}:
-- install_args is given to every family that is a function, after ns. id names t's entry in torch.lazy_index; name is
-- how a user spells t ("nn"), used in the "did you mean" errors.
function lazy.namespace(t, spec)
  spec.families = spec.families or {}
  spec.modules = spec.modules or {}
  spec.index = INDEX[spec.id] or {}
  spec.loaded = {}
  local names = {}
  for k in pairs(spec.modules) do names[#names + 1] = k end
  for k in pairs(spec.index) do
    if k:sub(1, 1) ~= "_" and spec.modules[k] == nil then names[#names + 1] = k end
  end
  table.sort(names)
  spec.names = names
  if spec.methods then
    local methods = spec.methods.table
    for k, family in pairs(INDEX[spec.methods.id] or {}) do
      if rawget(methods, k) == nil then
        local function first_call(...)
          install(t, spec, family)
          local f = rawget(methods, k)
          if f == first_call then error(string.format("%s has no method '%s'", spec.methods.id, k), 2) end
          return f(...)
        end
        rawset(methods, k, first_call)
      end
    end
  end
  specs[t] = spec
  order[#order + 1] = t
  options.namespace(t, spec.name, index, names)
  getmetatable(t).__lazy_names = names             -- read by ember.complete (a table: nothing is called)
  return t
end

--- lazy.is_namespace(t) -> boolean
function lazy.is_namespace(t) return specs[t] ~= nil end

--- lazy.names(t) -> sorted list of t's public names, loaded or not
-- Loads nothing. For a table that is not a lazy namespace, its own names.
function lazy.names(t)
  local seen, out = {}, {}
  for k in pairs(t) do
    if type(k) == "string" and k:sub(1, 1) ~= "_" then seen[k] = true end
  end
  for _, k in ipairs(specs[t] and specs[t].names or {}) do seen[k] = true end
  for k in pairs(seen) do out[#out + 1] = k end
  table.sort(out)
  return out
end

--- lazy.load_families(t) -> t
-- Loads every family of namespace t (not its modules): all of t's names
-- that are not whole modules are then plain fields (the ONNX tracer wraps them).
function lazy.load_families(t)
  local spec = specs[t]
  if spec and not spec.all then load_families(t, spec) end
  return t
end

--- lazy.load_all(t) -> t
-- Loads every family and module of namespace t, so that rawget and pairs
-- see all of its names. Nothing for a table that is not a lazy namespace.
function lazy.load_all(t)
  local spec = specs[t]
  if not spec then return t end
  load_families(t, spec)
  for k in pairs(spec.modules) do
    if rawget(t, k) == nil then load_module(t, spec, k) end
  end
  return t
end

--- lazy.load_everything() -> the list of lazy namespaces
-- Loads torch and, transitively, every lazy namespace reachable from it.
function lazy.load_everything()
  local torch = require "torch"
  lazy.load_all(torch)
  local i = 1
  while i <= #order do                             -- namespaces loading makes are appended
    local t = order[i]
    lazy.load_all(t)
    for k in pairs(specs[t].modules) do lazy.load_all(rawget(t, k)) end
    i = i + 1
  end
  return order
end

--- lazy.spec(t) -> the spec given to lazy.namespace (scripts/lazy_index.lua)
function lazy.spec(t) return specs[t] end

return lazy
