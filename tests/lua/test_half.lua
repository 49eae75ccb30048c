-- float16 and bfloat16 without PyTorch: every one of the 65536 bit patterns
-- of each survives 16 bits -> float32 -> 16 bits; float32 -> 16 bits rounds
-- every halfway point between neighbouring float16 values to the even one
-- (and the floats either side of it to the nearer one), overflows to inf at
-- 65520; dtype objects and aliases; promotion; in-place ops keep the dtype;
-- autograd gives gradients in the input's dtype; files keep the dtype; and
-- what is refused is refused with a message.
local T = require "ember.test"

local function bits_to_f32(u) return (string.unpack("<f", string.pack("<I4", u))) end
local function f32_to_bits(f) return (string.unpack("<I4", string.pack("<f", f))) end

-- The value of float16 bit pattern h (IEEE binary16).
local function f16_value(h)
  local sign = (h >> 15) == 1 and -1 or 1
  local e, m = (h >> 10) & 0x1F, h & 0x3FF
  if e == 31 then return m == 0 and sign * math.huge or 0 / 0 end
  if e == 0 then return sign * m * 2.0 ^ -24 end
  return sign * (1024 + m) * 2.0 ^ (e - 25)
end

local function same(a, b)
  if b ~= b then return a ~= a end
  return a == b and (a ~= 0 or 1 / a == 1 / b)
end

local function check_all(got, want, what)
  T.eq(#got, #want, what .. ": count")
  for i = 1, #want do
    if not same(got[i], want[i]) then
      error(string.format("%s: element %d: got %.9g, want %.9g", what, i, got[i], want[i]), 0)
    end
  end
end

T.test("all 65536 float16 bit patterns: 16 bits -> float32 -> 16 bits", function()
  local vals = {}
  for h = 0, 0xFFFF do vals[h + 1] = f16_value(h) end
  local x = torch.tensor(vals, {dtype = torch.float32})
  local h = x:half()
  T.eq(tostring(h.dtype), "torch.float16")
  check_all(h:tolist(), vals, "float32 -> float16")
  check_all(h:float():tolist(), vals, "float16 -> float32")
  check_all(h:float():half():tolist(), vals, "round trip")
  check_all(h:double():half():tolist(), vals, "through float64")
end)

T.test("all 65536 bfloat16 bit patterns: 16 bits -> float32 -> 16 bits", function()
  local vals = {}
  for b = 0, 0xFFFF do vals[b + 1] = bits_to_f32(b << 16) end
  local x = torch.tensor(vals, {dtype = torch.float32})
  local b = x:bfloat16()
  T.eq(tostring(b.dtype), "torch.bfloat16")
  check_all(b:tolist(), vals, "float32 -> bfloat16")
  check_all(b:float():bfloat16():tolist(), vals, "round trip")
end)

T.test("float32 -> float16 rounds halfway to even, either side to nearest", function()
  local mids, at, below, above = {}, {}, {}, {}
  local wmid, wbelow, wabove = {}, {}, {}
  for h = 0, 0x7BFF do      -- every pair of neighbouring finite positive values
    local lo = f16_value(h)
    local hi = h == 0x7BFF and 65536 or f16_value(h + 1)   -- past 65504: where 2^16 would be
    local m = (lo + hi) / 2   -- exact in float32
    local mb = f32_to_bits(m)
    mids[#mids + 1] = m
    below[#below + 1] = bits_to_f32(mb - 1)
    above[#above + 1] = bits_to_f32(mb + 1)
    local even = (h % 2 == 0) and lo or hi
    if h == 0x7BFF then even = math.huge end   -- 65520 rounds to inf
    wmid[#wmid + 1] = even
    wbelow[#wbelow + 1] = lo
    wabove[#wabove + 1] = h == 0x7BFF and math.huge or hi
    at[#at + 1] = h
  end
  local function run(xs, want, what)
    local pos = torch.tensor(xs, {dtype = torch.float32})
    check_all(pos:half():tolist(), want, what)
    local negw = {}
    for i, w in ipairs(want) do negw[i] = -w end
    check_all((-pos):half():tolist(), negw, what .. " (negative)")
  end
  run(mids, wmid, "halfway")
  run(below, wbelow, "just below halfway")
  run(above, wabove, "just above halfway")
end)

T.test("float32 -> bfloat16 rounds halfway to even", function()
  local xs, want = {}, {}
  for b = 0x3F80, 0x3FFF do   -- [1, 2): every neighbouring pair
    local lo, hi = bits_to_f32(b << 16), bits_to_f32((b + 1) << 16)
    xs[#xs + 1] = bits_to_f32((b << 16) + 0x8000)
    want[#want + 1] = b % 2 == 0 and lo or hi
    xs[#xs + 1] = bits_to_f32((b << 16) + 0x7FFF)
    want[#want + 1] = lo
    xs[#xs + 1] = bits_to_f32((b << 16) + 0x8001)
    want[#want + 1] = hi
  end
  check_all(torch.tensor(xs):bfloat16():tolist(), want, "bfloat16")
end)

T.test("special values: overflow, underflow, nan, signed zero", function()
  local x = torch.tensor({70000, 65519, 65520, -1e30, 1e-8, 3e-8, -1e-10, 0 / 0, -0.0})
  check_all(x:half():tolist(), {math.huge, 65504, math.huge, -math.huge, 0, 2.0 ^ -24, -0.0, 0 / 0, -0.0}, "half")
  check_all(torch.tensor({3.4e38, 1e-45, 0 / 0}):bfloat16():tolist(), {bits_to_f32(0x7F800000), 0, 0 / 0}, "bf16")
  -- float64 rounds to float32 first (as c10::Half): 1 + 2^-11 + 2^-40 gives 1
  T.eq(torch.tensor({1 + 2 ^ -11 + 2 ^ -40}, {dtype = torch.float64}):half():item(), 1.0)
  -- 16 bits to integers truncate; to bool: non-zero
  local h = torch.tensor({1.5, -2.7, 300.7, 0.0}, {dtype = torch.float16})
  T.eq(table.concat(h:long():tolist(), ","), "1,-2,300,0")
  T.eq(table.concat(h:byte():tolist(), ","), "1,254,44,0")
  T.eq(tostring(h:bool()), "tensor([ True,  True,  True, False])")
end)

T.test("dtype objects, aliases and fields", function()
  T.ok(torch.half == torch.float16, "torch.half is torch.float16")
  T.eq(tostring(torch.half), "torch.float16")
  T.eq(tostring(torch.bfloat16), "torch.bfloat16")
  T.eq(torch.float16.itemsize, 2)
  T.eq(torch.bfloat16.itemsize, 2)
  T.ok(torch.float16.is_floating_point and torch.bfloat16.is_floating_point, "floating point")
  T.eq(torch.bfloat16.name, "bfloat16")
  local h = torch.zeros(2, {dtype = "half"})
  T.eq(tostring(h.dtype), "torch.float16")
  T.eq(h:element_size(), 2)
  T.ok(h:is_floating_point(), "is_floating_point")
  T.eq(h:type(), "torch.HalfTensor")
  T.eq(torch.zeros(1, {dtype = torch.bfloat16}):type(), "torch.BFloat16Tensor")
  T.eq(tostring(torch.ones(2):to("bfloat16").dtype), "torch.bfloat16")
  T.eq(tostring(h:type(torch.float32).dtype), "torch.float32")
  T.error(function() return torch.zeros(2, {dtype = "float8"}) end, "unknown dtype 'float8'")
end)

T.test("promotion", function()
  local h, b = torch.ones(2, {dtype = torch.float16}), torch.ones(2, {dtype = torch.bfloat16})
  T.eq(tostring((h + torch.ones(2)).dtype), "torch.float32")
  T.eq(tostring((h + b).dtype), "torch.float32")
  T.eq(tostring((h + torch.ones(2, {dtype = torch.int64})).dtype), "torch.float16")
  T.eq(tostring((h + 2.5).dtype), "torch.float16")
  T.eq(tostring((b * 2).dtype), "torch.bfloat16")
  T.eq(tostring((h + torch.tensor(1.0)).dtype), "torch.float16", "a 0-dim float32 does not win")
  T.eq(tostring((torch.ones(2, {dtype = torch.int64}) + torch.tensor(1, {dtype = torch.float16})).dtype),
    "torch.float16", "a 0-dim float16 wins over integers")
  T.eq(tostring(h:gt(0).dtype), "torch.bool")
  T.eq(tostring(h:sum().dtype), "torch.float16")
  T.eq(tostring(h:argmax().dtype), "torch.int64")
end)

T.test("ops round to the 16-bit dtype; in-place ops keep it", function()
  local h = torch.tensor({1, 2048}, {dtype = torch.float16})
  T.eq(table.concat((h + 1):tolist(), ","), "2.0,2048.0", "2049 rounds to 2048")
  h:add_(1.5)
  T.eq(tostring(h.dtype), "torch.float16")
  T.eq(table.concat(h:tolist(), ","), "2.5,2050.0")
  h:copy_(torch.tensor({0.1, 70000}))
  T.eq(table.concat(h:tolist(), ","), string.format("%.17g", f16_value(0x2E66)) .. "," .. "inf")
  local m = torch.tensor({{1, 2}, {3, 4}}, {dtype = torch.bfloat16})
  T.eq(tostring(m:matmul(m)), "tensor([[ 7., 10.],\n        [15., 22.]], dtype=torch.bfloat16)")
  T.eq(tostring(m:t():contiguous()), "tensor([[1., 3.],\n        [2., 4.]], dtype=torch.bfloat16)")
  T.eq(tostring(m:sum(1)), "tensor([4., 6.], dtype=torch.bfloat16)")
  T.eq(m[2][1]:item(), 3.0)
end)

T.test("autograd: gradients in the 16-bit dtype", function()
  local x = torch.tensor({{1, 2}, {3, 4}}, {dtype = torch.float16, requires_grad = true})
  local y = (x:matmul(x):relu() * x):sum()
  T.eq(tostring(y.dtype), "torch.float16")
  y:backward()
  T.eq(tostring(x.grad.dtype), "torch.float16")
  -- d/dx sum((x@x) * x) = (x@x) + x^T g... checked against float64
  local x64 = torch.tensor({{1, 2}, {3, 4}}, {dtype = torch.float64, requires_grad = true})
  ;(x64:matmul(x64):relu() * x64):sum():backward()
  T.close(x.grad:double(), x64.grad, {rtol = 1e-3, atol = 0})
  -- through a conversion: the gradient comes back in the source dtype
  local f = torch.tensor({1.5, -2}, {requires_grad = true})
  local z = (f:half() * 2):sum()
  T.eq(z.grad_fn:name(), "SumBackward0")
  z:backward()
  T.eq(tostring(f.grad.dtype), "torch.float32")
  T.eq(table.concat(f.grad:tolist(), ","), "2.0,2.0")
end)

T.test("nn.Module:half() and :bfloat16(): float parameters and buffers, not integer ones", function()
  local m = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
  local w = m[1].weight
  T.eq(m:half(), m, "returns the model")
  T.ok(rawequal(m[1].weight, w), "the same parameter objects")
  T.eq(tostring(m[1].weight.dtype), "torch.float16")
  T.eq(tostring(m[2].running_var.dtype), "torch.float16")
  T.eq(tostring(m[2].num_batches_tracked.dtype), "torch.int64")
  local y = m(torch.randn(5, 3):half())
  T.eq(tostring(y.dtype), "torch.float16")
  y:sum():backward()
  T.eq(tostring(m[4].weight.grad.dtype), "torch.float16")
  m:bfloat16()
  T.eq(tostring(m[4].bias.dtype), "torch.bfloat16")
  T.eq(tostring(m[4].weight.grad.dtype), "torch.bfloat16", "grads convert too")
  T.eq(tostring(m:float()[1].weight.dtype), "torch.float32")
end)

T.test("files keep float16 and bfloat16", function()
  local dir = os.tmpname()
  os.remove(dir)
  os.execute("mkdir -p '" .. dir .. "'")
  local h = torch.tensor({0.1, -65504, 2 ^ -24, 0 / 0, -0.0}, {dtype = torch.float16})
  local b = torch.tensor({0.1, 3e38, -1e-39}, {dtype = torch.bfloat16})
  torch.save({h = h, b = b, v = h[{{2, 4}}]}, dir .. "/x.pt")
  local d = torch.load(dir .. "/x.pt")
  T.eq(tostring(d.h.dtype), "torch.float16")
  T.eq(tostring(d.b.dtype), "torch.bfloat16")
  check_all(d.h:tolist(), h:tolist(), ".pt float16")
  check_all(d.b:tolist(), b:tolist(), ".pt bfloat16")
  torch.save_safetensors({h = h, b = b}, dir .. "/x.safetensors")
  local s = torch.load_safetensors(dir .. "/x.safetensors")
  check_all(s.h:tolist(), h:tolist(), "safetensors float16")
  check_all(s.b:tolist(), b:tolist(), "safetensors bfloat16")
  local info = torch.io.safetensors_info(dir .. "/x.safetensors")
  T.eq(info.tensors[1].dtype, "BF16", "BF16 before F16, as the safetensors library orders them")
  T.eq(info.tensors[1].loads_as, "bfloat16")
  T.eq(info.tensors[2].loads_as, "float16")
  T.eq(info.tensors[2].widened, false)
  os.execute("rm -rf '" .. dir .. "'")
end)

T.test("refused: random values in 16-bit floats", function()
  T.error(function() return torch.rand(2, {dtype = torch.float16}) end, "random float16 values are not implemented")
  T.error(function() return torch.randn(2, {dtype = torch.bfloat16}) end, "random bfloat16 values are not")
  T.error(function() return torch.zeros(2, {dtype = torch.half}):uniform_() end, "torch.rand(n):half()")
  -- what is offered instead
  T.eq(tostring(torch.rand(2):half().dtype), "torch.float16")
end)

T.run()
