-- float32 fmod, remainder and // are exact: the CPU kernel's fast path
-- (double arithmetic, for rows where every |a| < 2^24 |b|) and its fallback
-- (fmodf, for rows with zeros, infinities, NaN or huge quotients) must both
-- give C's fmod bit for bit. Lua's math.fmod on the float32 values (held
-- exactly in doubles) is the reference: fmod's result is exact, so the
-- double fmod of float32 inputs is the float32 fmod.
local T = require "ember.test"

local function pairs_of(n, seed, lo_exp, hi_exp)
  local a, b = {}, {}
  local s = seed
  local function rnd() s = (s * 1103515245 + 12345) % 2147483648 return s / 2147483648 end
  for i = 1, n do
    a[i] = (rnd() - 0.5) * 2 ^ math.floor(lo_exp + rnd() * (hi_exp - lo_exp))
    b[i] = (rnd() - 0.5) * 2 ^ math.floor(lo_exp + rnd() * (hi_exp - lo_exp))
  end
  -- round to float32 through a tensor
  return torch.tensor(a), torch.tensor(b)
end

local function same_bits(x, y)
  if x ~= x then return y ~= y end
  return x == y and (x ~= 0 or 1 / x == 1 / y)
end

local function check(a, b, label)
  local fa, fb = a:tolist(), b:tolist()
  local fm, rm = torch.fmod(a, b):tolist(), torch.remainder(a, b):tolist()
  for i = 1, #fa do
    local want = math.fmod(fa[i], fb[i])
    if fb[i] == 0 then want = 0 / 0 end
    T.ok(same_bits(fm[i], want), string.format("%s: fmod(%a, %a) = %a, want %a", label, fa[i], fb[i], fm[i], want))
    local r = want
    if r == r and r ~= 0 and (fb[i] < 0) ~= (r < 0) then r = r + fb[i] end
    -- the remainder is rounded to float32 as the kernel's is
    r = torch.tensor({r}):tolist()[1]
    T.ok(same_bits(rm[i], r), string.format("%s: remainder(%a, %a) = %a, want %a", label, fa[i], fb[i], rm[i], r))
  end
end

T.test("rows the fast path takes: quotients below 2^24", function()
  local a, b = pairs_of(20000, 7, -4, 12)
  local keep = torch.abs(a):lt(torch.abs(b) * 2 ^ 23)
  check(a:masked_select(keep), b:masked_select(keep), "fast")
  -- exact multiples: the remainder is zero with the dividend's sign (-0.0)
  check(torch.tensor({-4, -6, -1.5, 4, 6, -7.5}), torch.tensor({2, -3, 0.5, -2, 3, 2.5}), "multiples")
end)

T.test("rows with huge quotients, zeros and non-finite values fall back exactly", function()
  local a, b = pairs_of(5000, 11, -20, 40)
  check(a, b, "mixed")
  check(torch.tensor({1 / 0, -1 / 0, 0 / 0, 5, -5, 0, -0.0, 3e38, 1e-38, 16777217}),
        torch.tensor({2, 2, 2, 0, 1 / 0, 3, 3, 1e-30, 3e38, 0.5}), "special")
end)

T.test("a // b uses the same fmod: integers, signs and the sign of zero as PyTorch", function()
  local a = torch.tensor({5.5, -5.5, 7.25, -0.0, 4, 1e30, 0.0})
  local b = torch.tensor({2, 2, -1.5, 3, -2, 3, -3})
  local want = {2, -3, -5, -0.0, -2, 3.333333383491554e+29, -0.0}   -- PyTorch 1.13's
  local got = (a // b):tolist()
  for i, w in ipairs(want) do
    T.ok(same_bits(got[i], torch.tensor({w}):tolist()[1]), string.format("%g // %g = %g", a:tolist()[i], b:tolist()[i], got[i]))
  end
end)

T.run()
