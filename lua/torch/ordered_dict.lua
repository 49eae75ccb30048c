-- torch.OrderedDict — a table that remembers insertion order, like Python's
-- OrderedDict: state dicts, param groups and checkpoints keep PyTorch's key
-- order, so printing and saving show keys as PyTorch does.
--
--   local d = torch.OrderedDict()
--   d["features.0.weight"] = w         -- plain indexing reads and writes
--   d["features.0.weight"] = nil       -- removes the key
--   for k, v in pairs(d) do ... end    -- in insertion order
--   d:keys(), d:values(), d:len() (also #d), d:contains(k)
--   d:set(k, nil)                      -- keeps k with no value (PyTorch's None)
--
-- Two names are plain fields, not entries (not in the order, not iterated):
-- _metadata (a state dict's module versions) and _pytype ("dict" for a table
-- saved as a plain Python dict, see torch.dict).

--- torch.OrderedDict([items]) -> d
-- A table that keeps its keys in insertion order, like Python's
-- collections.OrderedDict (state dicts, param groups, checkpoints).
-- Read and write with d[k] / d.k; d[k] = nil removes k; pairs(d) and print(d)
-- follow the order; #d counts the keys. items: a list of {key, value} pairs.
-- Example:
--   local d = torch.OrderedDict{{"b", 1}, {"a", 2}}; print(d:keys()[1])  --> b
local OrderedDict = {}
local ORDER, POS, VALS = {}, {}, {}   -- private keys: order list, key -> position, values
local NONE = setmetatable({}, {__tostring = function() return "None" end})

local methods = {}

local function append(d, k)
  local pos = d[POS]
  if not pos[k] then
    local order = d[ORDER]
    order[#order + 1] = k
    pos[k] = #order
  end
end

local mt = {
  __name = "torch.OrderedDict",
  __index = function(d, k)
    local v = rawget(d, VALS)[k]
    if v == NONE then return nil end
    if v ~= nil then return v end
    return methods[k]
  end,
  __newindex = function(d, k, v)
    if k == "_metadata" or k == "_pytype" then rawset(d, k, v) return end
    if v == nil then methods.remove(d, k) return end
    append(d, k)
    d[VALS][k] = v
  end,
  __pairs = function(d)
    local order, vals, i = d[ORDER], d[VALS], 0
    return function()
      i = i + 1
      local k = order[i]
      if k == nil then return nil end
      local v = vals[k]
      if v == NONE then v = nil end
      return k, v
    end, d, nil
  end,
  __len = function(d) return #d[ORDER] end,
  __tostring = function(d)
    local parts = {}
    for k, v in pairs(d) do parts[#parts + 1] = string.format("(%q, %s)", tostring(k), tostring(v)) end
    return "OrderedDict([" .. table.concat(parts, ", ") .. "])"
  end,
}

--- d:set(k, v) -> d
-- Sets d[k] = v. Unlike d[k] = nil, d:set(k, nil) keeps k in the order with
-- no value (Python's None), as a state dict's missing bias (bias=False).
function methods.set(d, k, v)
  append(d, k)
  d[VALS][k] = v == nil and NONE or v
  return d
end

--- d:remove(k)
-- Removes k and its place in the order (the same as d[k] = nil); nothing
-- happens when k is absent.
function methods.remove(d, k)
  local pos = d[POS]
  if not pos[k] then return end
  local order = d[ORDER]
  table.remove(order, pos[k])
  pos[k] = nil
  for i = 1, #order do pos[order[i]] = i end
  d[VALS][k] = nil
end

--- d:keys() -> list of keys
-- The keys in insertion order, as a new Lua list (Python's list(d.keys())).
function methods.keys(d)
  local out = {}
  for i, k in ipairs(d[ORDER]) do out[i] = k end
  return out
end

--- d:values() -> list of values
-- The values in key order, as a new Lua list (nil where a key holds None).
function methods.values(d)
  local out = {}
  for i, k in ipairs(d[ORDER]) do out[i] = d[k] end
  return out
end

--- d:contains(k) -> boolean
-- True when k is a key, even one holding None (Python's `k in d`).
function methods.contains(d, k) return d[POS][k] ~= nil end

--- d:len() -> number of keys
-- The same as #d (Python's len(d)); keys holding None count.
function methods.len(d) return #d[ORDER] end

local TORCH_NONE = require("torch.core").None
--- d:is_none(k) -> boolean
-- True when key k holds None: no value (set by d:set(k, nil)), or torch.None
-- (what torch.load gives for a None in a file).
function methods.is_none(d, k)
  local v = d[VALS][k]
  return v == NONE or (v ~= nil and v == TORCH_NONE)
end

--- torch.OrderedDict.new([items]) -> d
-- The same as torch.OrderedDict(items): a new OrderedDict, optionally filled
-- from a list of {key, value} pairs.
function OrderedDict.new(items)
  local d = setmetatable({[ORDER] = {}, [POS] = {}, [VALS] = {}}, mt)
  items = items or {}
  if type(items) ~= "table" then
    error("OrderedDict: expected a list of {key, value} pairs or a table of key = value, got " .. type(items), 3)
  end
  for _, kv in ipairs(items) do
    if type(kv) ~= "table" then
      error("OrderedDict: list items must be {key, value} pairs, got a " .. type(kv), 3)
    end
    methods.set(d, kv[1], kv[2])
  end
  -- key = value fields too; a Lua table has no order, so they go in sorted
  -- key order (give pairs when the order matters)
  local named = {}
  for k in pairs(items) do
    if not (math.type(k) == "integer" and k >= 1 and k <= #items) then named[#named + 1] = k end
  end
  table.sort(named, function(a, b)
    if type(a) == type(b) and (type(a) == "string" or type(a) == "number") then return a < b end
    return type(a) < type(b)
  end)
  for _, k in ipairs(named) do methods.set(d, k, items[k]) end
  return d
end

--- torch.OrderedDict.is(v) -> boolean
-- True when v is an OrderedDict (torch.dict tables included).
function OrderedDict.is(v) return getmetatable(v) == mt end

-- For nn.Module's field lookup, which runs on every self.fc access: the
-- private key of the values table and the None marker, so that d[VALS][k]
-- (nil or NONE when k holds no value) reads an entry without a call.
function OrderedDict._internals() return VALS, NONE end

return setmetatable(OrderedDict, {__call = function(_, items) return OrderedDict.new(items) end})
