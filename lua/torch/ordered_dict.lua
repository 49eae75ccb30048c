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

--- Sets d[k] = v, keeping k in the order even when v is nil (None).
function methods.set(d, k, v)
  append(d, k)
  d[VALS][k] = v == nil and NONE or v
  return d
end

--- Removes k and its place in the order.
function methods.remove(d, k)
  local pos = d[POS]
  if not pos[k] then return end
  local order = d[ORDER]
  table.remove(order, pos[k])
  pos[k] = nil
  for i = 1, #order do pos[order[i]] = i end
  d[VALS][k] = nil
end

function methods.keys(d)
  local out = {}
  for i, k in ipairs(d[ORDER]) do out[i] = k end
  return out
end

function methods.values(d)
  local out = {}
  for i, k in ipairs(d[ORDER]) do out[i] = d[k] end
  return out
end

function methods.contains(d, k) return d[POS][k] ~= nil end
function methods.len(d) return #d[ORDER] end

--- True when key k is present with no value (None).
function methods.is_none(d, k) return d[VALS][k] == NONE end

--- A new OrderedDict, optionally filled from a list of {key, value} pairs.
function OrderedDict.new(items)
  local d = setmetatable({[ORDER] = {}, [POS] = {}, [VALS] = {}}, mt)
  for _, kv in ipairs(items or {}) do methods.set(d, kv[1], kv[2]) end
  return d
end

function OrderedDict.is(v) return getmetatable(v) == mt end

return setmetatable(OrderedDict, {__call = function(_, items) return OrderedDict.new(items) end})
