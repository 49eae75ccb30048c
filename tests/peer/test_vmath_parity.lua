-- Compares ember's float32 exp, log, log1p, tanh, erf, sigmoid, silu,
-- softplus, mish, elu, selu and gelu (the ops on src/backend/cpu/cpu_vmath.h)
-- with real PyTorch on the edge values and dense sample of
-- tests/peer/make_vmath_reference.py: each value within 1e-6 relative (plus
-- 2^-140, a few subnormal steps, for results that underflow; a case may
-- add an absolute term where PyTorch's formula cancels), an infinity or NaN
-- where PyTorch has one, and a zero's sign as PyTorch's. Values only:
-- the gradients' formulas are test_op_parity.lua's.
-- Run by tests/peer/peer.sh vmath.
local T = require "ember.test"
local cases = dofile(assert(arg[1], "usage: test_vmath_parity.lua REFERENCE.lua"))

local RTOL, ATOL = 1e-6, 2 ^ -140

local function mismatch(got, want, atol, zero_sign)
  if want ~= want then return got == got end
  if want == math.huge or want == -math.huge then return got ~= want end
  if want == 0 and got == 0 then return zero_sign and 1 / got ~= 1 / want end   -- +0 vs -0
  return not (math.abs(got - want) <= RTOL * math.abs(want) + ATOL + atol)
end

for _, c in ipairs(cases) do
  T.test(c.name, function()
    local x1 = torch.tensor(c.x, {dtype = torch.float32})
    local env = setmetatable({x1 = x1}, {__index = _G})
    local out = assert(load("return " .. c.call, "=" .. c.name, "t", env))()
    T.eq(tostring(out.dtype), "torch.float32")
    local got = out:tolist()
    T.eq(#got, #c.y)
    local bad = {}
    for i = 1, #c.y do
      local atol = (c.atol or 0) + (c.atol_x and c.atol_x * math.abs(c.x[i]) or 0)
      if mismatch(got[i], c.y[i], atol, c.zero_sign ~= false) then
        bad[#bad + 1] = string.format("x = %.9g: ember %.9g, PyTorch %.9g", c.x[i], got[i], c.y[i])
      end
    end
    if #bad > 0 then
      error(string.format("%d of %d values differ, e.g.\n  %s", #bad, #c.y,
                          table.concat(bad, "\n  ", 1, math.min(#bad, 8))), 0)
    end
  end)
end

T.run()
