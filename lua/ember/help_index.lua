-- ember.help_index — the qualified names of ember's public values, for
-- ember.help: "torch.zeros", "Tensor.view", "nn.Linear.forward",
-- "torch.Generator.manual_seed", ... found by walking torch, the Tensor
-- methods, nn, optim, data and plot once, on first use (loading the lazy
-- namespaces' modules, torch.lazy). A C function has no
-- source to read its doc from, so help finds its doc by one of these names.
-- Not here: the docs.
local M = {}

local index           -- {names = {[value] = {name, ...}}, values = {[name] = value}, order = {name...}}

-- The modules outside torch whose names help knows: the module, the name
-- its value (or its field `field`) is indexed by, and the table walked for
-- the names below it (the same value, or the field `walk_field` under the
-- name `walk`) to `depth` levels.
local COMPANIONS = {
  {module = "ember.plot", name = "plot", depth = 2},
  {module = "torchviz", name = "torchviz", depth = 1},   -- the companion named as PyTorch's torchviz
  {module = "ember.monitor", name = "ember.monitor", field = "monitor",
   walk = "ember.Monitor", walk_field = "Monitor", depth = 1},
  {module = "torch.utils.hooks", name = "torch.utils.hooks.RemovableHandle",
   field = "RemovableHandle", depth = 1},
}

local function is_public(k) return type(k) == "string" and k:sub(1, 1) ~= "_" end

local function build_index()
  local names, values, order = {}, {}, {}
  local function add(name, v)
    if values[name] ~= nil then return end
    values[name] = v
    order[#order + 1] = name
    if type(v) == "function" or type(v) == "table" or type(v) == "userdata" then
      local list = names[v]
      if not list then list = {} names[v] = list end
      list[#list + 1] = name
    end
  end
  local function sorted_keys(t)
    local ks = {}
    for k in pairs(t) do if is_public(k) then ks[#ks + 1] = k end end
    table.sort(ks)
    return ks
  end
  local skip_torch = {nn = true, optim = true, utils = true, Tensor = true}
  local function walk(prefix, t, depth, skip)
    for _, k in ipairs(sorted_keys(t)) do
      if not (skip and skip[k]) then
        local v = rawget(t, k)
        local name = prefix .. "." .. k
        add(name, v)
        if type(v) == "table" and depth > 1 then walk(name, v, depth - 1) end
      end
    end
  end
  local ok, torch = pcall(require, "torch")
  if ok then
    -- the names that load on first use (torch.lazy), all of them: the walk reads raw fields
    require("torch.lazy").load_everything()
    walk("torch", torch, 3, skip_torch)
    add("Tensor", torch.Tensor)
    walk("Tensor", torch.Tensor, 1)
    local function methods_of(prefix, v)
      local mt = getmetatable(v)
      if type(mt) == "table" and type(mt.__index) == "table" then walk(prefix, mt.__index, 1) end
    end
    methods_of("torch.Generator", torch.default_generator)
    pcall(function() methods_of("torch.Size", torch.zeros(0):size()) end)
    add("nn", torch.nn)
    walk("nn", torch.nn, 3)
    add("optim", torch.optim)
    walk("optim", torch.optim, 3)
    add("data", torch.utils.data)
    walk("data", torch.utils.data, 2)
    add("torch.utils.data", torch.utils.data)
  end
  for _, c in ipairs(COMPANIONS) do
    local okc, mod = pcall(require, c.module)
    if okc then
      add(c.name, c.field and mod[c.field] or mod)
      walk(c.walk or c.name, c.walk_field and mod[c.walk_field] or c.field and mod[c.field] or mod, c.depth)
    end
  end
  index = {names = names, values = values, order = order}
  return index
end

local function get_index() return index or build_index() end

-- "torch.Tensor.view", "x:view", "Tensor:view" -> canonical spellings.
local function normalise(name)
  name = name:gsub("^%s+", ""):gsub("%s+$", ""):gsub("%(%)$", ""):gsub(":", ".")
  name = name:gsub("^torch%.Tensor%f[.%z]", "Tensor")
  name = name:gsub("^F%.", "nn.functional."):gsub("^torch%.nn%.", "nn."):gsub("^torch%.optim%.", "optim.")
  name = name:gsub("^torch%.utils%.data%.", "data.")
  return name
end


-- The names of v in the index, the one matching `hint` (a typed name) first.
local function names_of(v, hint)
  local list = get_index().names[v]
  if not list then return {} end
  if not hint then return list end
  local out = {}
  for _, n in ipairs(list) do if n == hint then out[#out + 1] = n end end
  local short = hint:match("([^.]+)$")
  for _, n in ipairs(list) do
    if n ~= hint and n:match("([^.]+)$") == short then out[#out + 1] = n end
  end
  for _, n in ipairs(list) do
    if n ~= hint and n:match("([^.]+)$") ~= short then out[#out + 1] = n end
  end
  return out
end

local function short_name(name) return name and name:match("([^.]+)$") end

M.is_public = is_public
M.get = get_index
M.normalise = normalise
M.names_of = names_of
M.short_name = short_name
return M
