-- test_reduce_paths.lua — the CPU kernels' long-row paths for float32
-- against float64 arithmetic, where they promise more than the PyTorch
-- peer's tolerance checks: sum is the correctly rounded float32 sum when
-- every partial sum is exact in double (and within an ulp on random data,
-- at least as accurate as PyTorch's float cascade), cumsum in pieces gives
-- the in-order double cumsum rounded to float32, NaN and inf come out where
-- they should; all/any/amax/amin on every integer dtype and bool. Lengths
-- straddle the block sizes (64 lanes x 16, cumsum pieces from 4096, all/any
-- blocks of 4096). Run: build/ember run tests/lua/test_reduce_paths.lua

local T = require "ember.test"

local SIZES = {1, 63, 64, 1023, 1024, 1025, 4095, 4096, 4097, 8193, 100003}

-- multiples of 2^-7 below 2^11 in magnitude: every partial sum of up to
-- 2^20 of them is exact in double, so x:double():sum() is the exact sum
local function exact_data(n, offset)
  return ((torch.arange(0, n) * 7919) % 10007 - 5003):float() * 0.0078125 + (offset or 0)
end

T.test("float32 sum is the correctly rounded sum of exactly summable data", function()
  for _, n in ipairs(SIZES) do
    for _, off in ipairs({0, 1000}) do
      local x = exact_data(n, off)
      T.eq(x:sum():item(), x:double():sum():float():item(), string.format("sum n=%d offset=%g", n, off))
      T.eq(x:mean():item(), (x:double():sum():float() / n):item(), string.format("mean n=%d", n))
    end
  end
end)

T.test("float32 sum of random data: within the error of 16-term float partial sums", function()
  -- each float lane adds 16 terms (15 roundings, each at most 2^-24 of a
  -- partial sum of |x|); the rest is in double, then one rounding to float32
  torch.manual_seed(3)
  for _, n in ipairs({1025, 100003, 1000000}) do
    local x = torch.randn(n) * 100 + 3
    local exact = x:double():sum():item()
    local bound = 15 * 2 ^ -24 * x:double():abs():sum():item() + 2 ^ -24 * math.abs(exact)
    local got = x:sum():item()
    T.ok(math.abs(got - exact) <= bound, string.format("n=%d: %.9g vs exact %.9g", n, got, exact))
  end
end)

T.test("float32 sum: NaN and inf anywhere in a long row", function()
  for _, pos in ipairs({1, 1024, 1025, 50000, 100003}) do
    local x = exact_data(100003)
    x[pos] = 0 / 0
    local s = x:sum():item()
    T.ok(s ~= s, "NaN at " .. pos)
    x[pos] = 1 / 0
    T.eq(x:sum():item(), 1 / 0, "inf at " .. pos)
    x[(pos % 100003) + 1] = -1 / 0
    s = x:sum():item()
    T.ok(s ~= s, "inf and -inf near " .. pos)
  end
end)

T.test("float32 cumsum in pieces is the in-order double cumsum rounded", function()
  for _, n in ipairs(SIZES) do
    local x = exact_data(n, 1000)
    local want = x:double():cumsum(1):float()
    T.ok(x:cumsum(1):eq(want):all():item(), "cumsum n=" .. n)
    -- reversed (cumsum's backward): the gradient of sum(cumsum(x) * g)
    local g = exact_data(n, 3):flip(1)
    local xg = x:clone():requires_grad_(true)
    local loss = (xg:cumsum(1) * g):sum()
    loss:backward()
    T.ok(xg.grad:eq(g:double():flip(1):cumsum(1):flip(1):float()):all():item(), "reversed n=" .. n)
  end
  torch.manual_seed(5)
  local x = torch.randn(100003)
  T.close(x:cumsum(1), x:double():cumsum(1):float(), {rtol = 1e-6, atol = 1e-6})
end)

T.test("float32 cumsum keeps inf and NaN where the in-order scan has them", function()
  local x = exact_data(20000)
  x[3000] = 1 / 0
  x[15000] = -1 / 0
  local c = x:cumsum(1):tolist()
  T.ok(c[2999] == c[2999] and c[2999] < 1 / 0, "finite before the inf")
  T.eq(c[3000], 1 / 0, "inf from 3000")
  T.eq(c[14999], 1 / 0, "still inf at 14999")
  T.ok(c[15000] ~= c[15000] and c[20000] ~= c[20000], "NaN from 15000")
end)

T.test("all, any, amax and amin of long integer and bool rows", function()
  local function truth(t) local v = t:item() return v == true or v == 1 end   -- uint8 gives 0/1
  for _, dt in ipairs({"float", "long", "int", "byte", "bool"}) do
    for _, pos in ipairs({1, 4096, 4097, 9001}) do
      local x = torch.ones(9001)[dt](torch.ones(9001))
      x[pos] = 0
      T.eq(truth(x:all()), false, dt .. " all, 0 at " .. pos)
      T.eq(truth(x:any()), true, dt .. " any")
      local z = torch.zeros(9001)[dt](torch.zeros(9001))
      z[pos] = 1
      T.eq(truth(z:any()), true, dt .. " any, 1 at " .. pos)
      T.eq(truth(z:all()), false, dt .. " all")
    end
    T.eq(truth(torch.ones(9001)[dt](torch.ones(9001)):all()), true, dt .. " all ones")
    T.eq(truth(torch.zeros(9001)[dt](torch.zeros(9001)):any()), false, dt .. " any zeros")
  end
  for _, dt in ipairs({"long", "int"}) do
    local v = ((torch.arange(0, 9001) * 7919) % 10007 - 5003)[dt](((torch.arange(0, 9001) * 7919) % 10007 - 5003))
    local l = v:tolist()
    local mx, mn = l[1], l[1]
    for i = 2, #l do mx = math.max(mx, l[i]); mn = math.min(mn, l[i]) end
    T.eq(v:amax():item(), mx, dt .. " amax")
    T.eq(v:amin():item(), mn, dt .. " amin")
  end
  local b = torch.arange(0, 9001):remainder(251):byte()
  T.eq(b:amax():item(), 250, "uint8 amax")
  T.eq(b:amin():item(), 0, "uint8 amin")
end)

T.test("maximum and minimum: a NaN on either side wins, in vector-length rows", function()
  local n = 1000
  local a, b = exact_data(n), exact_data(n, 0.5):flip(1)
  for _, pos in ipairs({1, 17, 999}) do
    local an = a:clone()
    an[pos] = 0 / 0
    local bn = b:clone()
    bn[pos + 1] = 0 / 0
    for _, f in ipairs({torch.maximum, torch.minimum}) do
      local r = f(an, bn):tolist()
      T.ok(r[pos] ~= r[pos] and r[pos + 1] ~= r[pos + 1], "NaN kept at " .. pos)
      local s = f(an, torch.tensor(0 / 0)):tolist()
      T.ok(s[n] ~= s[n], "NaN scalar wins")
    end
  end
end)

T.test("float32 pow (vector powf) agrees with double pow", function()
  local xs = exact_data(3000):abs() * 0.01 + 0.05
  local ys = exact_data(3000, 0.3):flip(1) * 0.05
  local got = xs:pow(ys):tolist()
  local xl, yl = xs:tolist(), ys:tolist()
  for i = 1, #got do
    local want = xl[i] ^ yl[i]
    T.ok(math.abs(got[i] - want) <= 2.5e-7 * math.abs(want), string.format("%a ^ %a = %a, want %a", xl[i], yl[i], got[i], want))
  end
  local special = {0, -0.0, 1, -1, 2, -2, -8, 0.5, 1 / 0, -1 / 0}
  local ex = {0, 3, -3, 2, -2, 0.5, 0.7, -1.5, 1 / 0, -1 / 0}
  for _, x in ipairs(special) do
    for _, y in ipairs(ex) do
      local want = torch.tensor({x ^ y}, {dtype = torch.float32}):tolist()[1]   -- C's pow, rounded
      local f32 = {dtype = torch.float32}
      local got1 = torch.full({9}, x, f32):pow(torch.full({9}, y, f32)):tolist()
      for i = 1, 9 do
        local g = got1[i]
        T.ok((g ~= g and want ~= want) or (g == want and (g ~= 0 or 1 / g == 1 / want)),
             string.format("pow(%g, %g) = %g, want %g", x, y, g, want))
      end
    end
  end
end)

T.run()
