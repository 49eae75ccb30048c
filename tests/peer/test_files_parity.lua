-- Files real PyTorch wrote (tests/peer/make_files_reference.py: the zip format
-- with pickle protocols 2 and 4, the legacy format with protocols 2 and 5)
-- load in ember with exactly the values PyTorch saved: lists keep their
-- length and Nones (torch.None), empty lists stay lists, dict keys keep their
-- kind and order, ints are exact to 64 bits, floats bit for bit, tensors keep
-- dtype (int16/int8 widen exactly), shape, stride, offset, values and storage sharing.
-- Then ember writes each value back in the same format and protocol, and
-- real PyTorch loads ember's file and finds what it wrote in the first place
-- (tests/peer/check_files_in_torch.py).
local T = require "ember.test"
local ref = dofile(arg[1])
local Parameter = require("torch.nn.module").Parameter

local None = torch.None
local WIDENED = {int16 = "int32", int8 = "int32"}

local function same_float(a, b)
  if a ~= a then return b ~= b end
  return a == b and (a ~= 0 or 1 / a == 1 / b)
end

-- Compares what ember loaded (v) with PyTorch's description (e); tensors are
-- collected in order with their expected storage ids.
local function compare(v, e, path, tensors)
  local t = e.t
  if t == "none" then
    T.eq(v, None, path)
  elseif t == "bool" then
    T.eq(v, e.v, path)
  elseif t == "int" then
    T.eq(math.type(v), "integer", path)
    T.eq(v, e.v, path)
  elseif t == "float" then
    T.eq(math.type(v), "float", path)
    T.ok(same_float(v, e.v), string.format("%s: %.17g vs %.17g", path, v, e.v))
  elseif t == "str" then
    T.eq(v, e.v, path)
  elseif t == "list" or t == "tuple" then
    T.eq(type(v), "table", path)
    T.eq(torch.is_tuple(v), t == "tuple", path .. ": tuple-ness")
    T.eq(#v, #e.items, path .. ": length")
    for i, x in ipairs(e.items) do compare(v[i], x, path .. "[" .. i .. "]", tensors) end
    local n = 0
    for _ in pairs(v) do n = n + 1 end
    T.eq(n, #e.items, path .. ": no other keys")
  elseif t == "dict" or t == "odict" then
    T.ok(torch.OrderedDict.is(v), path .. ": an OrderedDict")
    T.eq(rawget(v, "_pytype"), t == "dict" and "dict" or nil, path .. ": dict or OrderedDict")
    local i = 0
    for k, x in pairs(v) do
      i = i + 1
      local ek = e.items[i]
      T.ok(ek ~= nil, path .. ": an extra key")
      compare(k, ek[1], path .. ".key" .. i, tensors)
      compare(x, ek[2], path .. "[" .. tostring(k) .. "]", tensors)
    end
    T.eq(i, #e.items, path .. ": number of keys")
    if e.meta then compare(rawget(v, "_metadata"), e.meta, path .. "._metadata", tensors) end
  elseif t == "tensor" then
    T.ok(torch.is_tensor(v), path .. ": a tensor")
    T.eq(tostring(v.dtype), "torch." .. (WIDENED[e.dtype] or e.dtype), path .. ": dtype")
    T.eq(v:dim(), #e.shape, path .. ": dims")
    for d = 1, #e.shape do
      T.eq(v:size(d), e.shape[d], path .. ": size")
      T.eq(v:stride(d), e.stride[d], path .. ": stride")
    end
    T.eq(v:storage_offset(), e.offset, path .. ": offset")
    T.eq(Parameter.is(v), e.param, path .. ": Parameter")
    T.eq(v.requires_grad, e.rg, path .. ": requires_grad")
    local flat = v:numel() > 0 and v:detach():reshape(-1):tolist() or {}
    if type(flat) ~= "table" then flat = {flat} end
    T.eq(#flat, #e.values, path .. ": numel")
    for i, x in ipairs(e.values) do
      local y = flat[i]
      if type(x) == "boolean" then T.eq(y, x, path)
      elseif math.type(x) == "integer" then T.eq(y, x, path .. "[" .. i .. "]")
      else T.ok(same_float(y, x), string.format("%s[%d]: %.17g vs %.17g", path, i, y, x)) end
    end
    tensors[#tensors + 1] = e.storage
  else
    error("unknown kind " .. tostring(t))
  end
end

-- The storage ids ember's loader gives the tensors, in the same order.
local function storage_ids(node, out)
  if node.kind == "tensor" then out[#out + 1] = node.storage end
  for _, it in ipairs(node.items or {}) do
    if node.kind == "dict" or node.kind == "OrderedDict" then
      storage_ids(it[1], out)
      storage_ids(it[2], out)
    else
      storage_ids(it, out)
    end
  end
  if node.metadata then storage_ids(node.metadata, out) end
  return out
end

local pairs_path = ref.dir .. "/pairs.tsv"
local pairs_file = assert(io.open(pairs_path, "w"))

for _, c in ipairs(ref.cases) do
  T.test(c.name .. ": PyTorch's file loads exactly, and ember writes it back", function()
    local v = torch.load(c.path)
    local expected = {}
    compare(v, c.expect, c.name, expected)
    T.eq(table.concat(storage_ids(torch.io.pt_describe(c.path), {}), " "), table.concat(expected, " "),
         "storage sharing")
    local back = c.path:gsub("%.pt$", ".ember.pt")
    torch.save(v, back, {_use_new_zipfile_serialization = not c.legacy, pickle_protocol = c.protocol})
    local again = {}
    compare(torch.load(back), c.expect, c.name .. " (ember's file)", again)
    pairs_file:write(c.path, "\t", back, "\t", c.legacy and "legacy" or "zip", "\t", c.protocol, "\n")
  end)
end

T.test("real PyTorch loads every file ember wrote back and finds its own values", function()
  pairs_file:close()
  local cmd = string.format("/usr/bin/python3 tests/peer/check_files_in_torch.py '%s'", pairs_path)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("a")
  local ok = p:close()
  io.write(out)
  T.ok(ok, "check_files_in_torch.py failed:\n" .. out)
end)

T.run()
