-- Values that must come out of ember exactly as PyTorch 1.13 gives them
-- (tests/peer/make_exact_reference.py): div with rounding_mode, reductions
-- with dtype=, integer powers, int64 beyond 2^53. Each case evaluates the
-- same expression in ember and compares dtype, shape, every value (floats
-- as '%.17g' strings, bit for bit up to NaN's payload) and the printed form.
local T = require "ember.test"
local cases = dofile(assert(arg[1], "usage: test_exact_parity.lua REFERENCE.lua"))

local function fmt(v)
  if type(v) == "boolean" then return v and "True" or "False" end
  if math.type(v) == "integer" then return tostring(v) end
  if v ~= v then return "nan" end
  return string.format("%.17g", v)
end

local function flat(t, out)
  out = out or {}
  if type(t) ~= "table" then out[#out + 1] = fmt(t) return out end
  for _, v in ipairs(t) do flat(v, out) end
  return out
end

for _, c in ipairs(cases) do
  T.test(c.lua, function()
    local x = assert(load("return " .. c.lua))()
    T.eq(tostring(x.dtype), c.dtype, "dtype")
    T.eq(table.concat(x:size(), ","), table.concat(c.shape, ","), "shape")
    local got = flat(x:tolist())
    for i, want in ipairs(c.values) do
      if got[i] ~= want then error(string.format("element %d: ember %s, PyTorch %s", i, got[i], want), 0) end
    end
    T.eq(tostring(x), c.str, "printed")
    if x:numel() == 1 then T.eq(fmt(x:item()), c.values[1], "item()") end
  end)
end

T.run()
