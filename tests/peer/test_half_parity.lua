-- float16 and bfloat16 against PyTorch 1.13 (tests/peer/make_half_reference.py):
-- float32 / float64 / int64 -> 16 bits for thousands of floats (bit for bit:
-- values equal, signed zeros kept; a NaN must stay a NaN), 16 bits -> the
-- other dtypes, ops on 16-bit tensors (exact, or within one unit in the last
-- place for sums: matmul, sum, mean, softmax), printing (the exact repr),
-- type promotion, gradients (values, dtype, grad_fn), and files both ways:
-- ember reads PyTorch's .pt and .safetensors with their dtypes and bits,
-- writes them back, and PyTorch finds the same dtypes and bits.
local T = require "ember.test"
local ref = dofile(assert(arg[1], "usage: test_half_parity.lua REFERENCE.lua"))

local DT = {float16 = torch.float16, bfloat16 = torch.bfloat16}

local function f32(bits) return (string.unpack("<f", string.pack("<I4", bits))) end

local function same(a, b)
  if b ~= b then return a ~= a end
  return a == b and (a ~= 0 or 1 / a == 1 / b)
end

local function show(v) return v ~= v and "nan" or string.format("%.9g", v) end

local function check_list(got, want, what)
  T.eq(#got, #want, what .. ": count")
  for i = 1, #want do
    if not same(got[i], want[i]) then
      error(string.format("%s: element %d: ember %s, PyTorch %s", what, i, show(got[i]), show(want[i])), 0)
    end
  end
end

-- The spacing of dt's values at v (one unit in the last place).
local function ulp(v, dt)
  local m, e = math.frexp(math.abs(v))
  if m == 0 then e = -13 end
  local bits = dt == "float16" and 11 or 8
  if dt == "float16" and e < -13 then e = -13 end   -- subnormals: 2^-24
  return 2.0 ^ (e - bits)
end

local function flat(t) return t:numel() == 0 and {} or t:reshape(-1):tolist() end

local function make(values, shape, dt)
  local t = torch.tensor(values, {dtype = torch.float32}):to(DT[dt] or dt)
  return shape and #shape ~= 1 and t:reshape(table.unpack(shape)) or t
end

local UNARY = {
  neg = function(a) return -a end, abs = function(a) return a:abs() end, relu = function(a) return a:relu() end,
  exp = function(a) return a:exp() end, sigmoid = function(a) return a:sigmoid() end,
  tanh = function(a) return a:tanh() end, sqrt = function(a) return a:abs():sqrt() end,
  log = function(a) return a:abs():log() end, square = function(a) return a * a end,
  sum = function(a) return a:sum() end, mean = function(a) return a:mean() end,
  sum_dim2 = function(a) return a:sum(2) end, max = function(a) return a:max() end,
  softmax = function(a) return torch.softmax(a, 2) end, scalar_add = function(a) return a + 0.1 end,
  scalar_mul = function(a) return a * 3 end, clamp = function(a) return a:clamp(-1, 2) end,
  eq_scalar = function(a) return (a * 0 + 0.1):eq(0.1) end, lt_scalar = function(a) return a:lt(0.1) end,
}
local BINARY = {
  add = function(a, b) return a + b end, sub = function(a, b) return a - b end,
  mul = function(a, b) return a * b end, div = function(a, b) return a / b end,
  maximum = function(a, b) return torch.maximum(a, b) end,
  matmul = function(a, b) return a:matmul(b:t()) end,
  where = function(a, b) return torch.where(a:gt(b), a, b) end,
}

local OPERANDS = {
  f16 = function() return torch.ones(2, {dtype = torch.float16}) end,
  bf16 = function() return torch.ones(2, {dtype = torch.bfloat16}) end,
  f32 = function() return torch.ones(2) end,
  f64 = function() return torch.ones(2, {dtype = torch.float64}) end,
  i64 = function() return torch.ones(2, {dtype = torch.int64}) end,
  i32 = function() return torch.ones(2, {dtype = torch.int32}) end,
  u8 = function() return torch.ones(2, {dtype = torch.uint8}) end,
  b = function() return torch.ones(2, {dtype = torch.bool}) end,
  f16_0d = function() return torch.tensor(1.0, {dtype = torch.float16}) end,
  bf16_0d = function() return torch.tensor(1.0, {dtype = torch.bfloat16}) end,
  f32_0d = function() return torch.tensor(1.0) end,
  i64_0d = function() return torch.tensor(1) end,
  num_f = function() return 2.5 end, num_i = function() return 2 end,
}

local GRADS = {
  mul_add = function(x) return (x * x + x):sum() end,
  div_mean = function(x) return (x / 3):mean() end,
  pow = function(x) return (x ^ 2):sum() end,
  matmul_relu = function(x, w) return x:matmul(w):relu():sum() end,
  exp = function(x) return x:exp():sum() end,
  matmul_both = function(x, w) return x:matmul(w):sum() end,
}

local RUN = {}

function RUN.convert(c)
  local xs = {}
  for i, b in ipairs(c.bits) do xs[i] = f32(b) end
  local x = torch.tensor(xs, {dtype = torch.float32})
  for _, dt in ipairs({"float16", "bfloat16"}) do
    check_list(flat(x:to(DT[dt]):float()), c[dt], c.name .. " -> " .. dt)
  end
end

function RUN.convert64(c)
  local x = torch.tensor(c.values, {dtype = torch.float64})
  check_list(flat(x:half()), c.float16, "float64 -> float16")
  check_list(flat(x:bfloat16()), c.bfloat16, "float64 -> bfloat16")
end

function RUN.convert_int(c)
  local x = torch.tensor(c.values, {dtype = torch.int64})
  check_list(flat(x:half()), c.float16, "int64 -> float16")
  check_list(flat(x:to(torch.bfloat16)), c.bfloat16, "int64 -> bfloat16")
end

function RUN.convert_out(c)
  local h = make(c.values, nil, c.dtype)
  check_list(flat(h), c.values, "values")
  check_list(flat(h:long()), c.int64, "-> int64")
  check_list(flat(h:byte()), c.uint8, "-> uint8")
  local got, want = flat(h:bool()), c.bool
  T.eq(#got, #want, "-> bool: count")
  for i = 1, #want do T.eq(got[i], want[i], "-> bool " .. i) end
  check_list(flat(h:double()), c.float64, "-> float64")
  check_list(flat(h:to(c.dtype == "float16" and torch.bfloat16 or torch.float16):float()), c.other, "-> other")
end

-- EMBER_FUSED=0: softmax composed from 16-bit steps, each rounded
local COMPOSED = os.getenv("EMBER_FUSED") == "0"

function RUN.op(c)
  local a, b = make(c.a, c.shape, c.dtype), make(c.b, c.shape, c.dtype)
  local ulps = (COMPOSED and c.op == "softmax") and 8 or c.ulps
  local r = UNARY[c.op] and UNARY[c.op](a) or BINARY[c.op](a, b)
  T.eq(tostring(r.dtype), c.out_dtype, "dtype")
  T.eq(table.concat(r:size(), ","), table.concat(c.out_shape, ","), "shape")
  local got = flat(r:float())
  T.eq(#got, #c.values, "count")
  for i, w in ipairs(c.values) do
    local ok = same(got[i], w) or (ulps > 0 and math.abs(got[i] - w) <= ulps * ulp(w, c.dtype))
    if not ok then
      error(string.format("element %d: ember %s, PyTorch %s (%s)", i, show(got[i]), show(w), c.how), 0)
    end
  end
end

function RUN.print(c)
  local t = make(c.values, c.shape, c.dtype)
  if c.requires_grad then t:requires_grad_(true) end
  T.eq(tostring(t), c.repr)
end

function RUN.promote(c)
  local x, y = OPERANDS[c.a](), OPERANDS[c.b]()
  T.eq(tostring((x + y).dtype), c.dtype)
end

function RUN.grad(c)
  local x = make(c.x, {3, 4}, c.dtype):requires_grad_(true)
  local w = make(c.w, {4, 2}, c.dtype):requires_grad_(true)
  local y = GRADS[c.op](x, w)
  T.eq(tostring(y.dtype), c.y_dtype, "y dtype")
  T.eq(y.grad_fn:name(), c.grad_fn, "grad_fn")
  T.ok(same(y:item(), c.y) or math.abs(y:item() - c.y) <= ulp(c.y, c.dtype), "y: ember " .. y:item() .. ", PyTorch " .. c.y)
  y:backward()
  T.eq(tostring(x.grad.dtype), c.gx_dtype, "grad dtype")
  -- matmul: PyTorch's value, or (where its bfloat16 gemm accumulated in
  -- bfloat16) the float32 computation rounded once, which is ember's
  local tol = c.op:find("matmul") and 1 or 0
  local function check_grad(got, want, alt, what)
    T.eq(#got, #want, what .. ": count")
    for i, g in ipairs(got) do
      local ok = same(g, want[i]) or math.abs(g - want[i]) <= tol * ulp(want[i], c.dtype)
      if tol > 0 then ok = ok or same(g, alt[i]) end
      if not ok then
        error(string.format("%s element %d: ember %s, PyTorch %s (in float32: %s)", what, i, show(g),
          show(want[i]), show(alt[i])), 0)
      end
    end
  end
  check_grad(flat(x.grad), c.gx, c.gx_f32, "x.grad")
  if c.gw then check_grad(flat(w.grad), c.gw, c.gw_f32, "w.grad") end
end

local function check_loaded(got, want, file)
  for k, e in pairs(want) do
    local t = got[k]
    T.ok(torch.is_tensor(t), file .. ": " .. k .. " is a tensor")
    T.eq(tostring(t.dtype), "torch." .. e.dtype, file .. ": " .. k .. " dtype")
    T.eq(table.concat(t:size(), ","), table.concat(e.shape, ","), file .. ": " .. k .. " shape")
    if file:find("%.pt$") then T.eq(table.concat(t:stride(), ","), table.concat(e.stride, ","), k .. " stride") end
    check_list(flat(t), e.values, file .. ": " .. k)
  end
end

function RUN.files(c)
  local pt = torch.load(c.dir .. "/torch.pt")
  check_loaded(pt, c.tensors, "torch.pt")
  local st = torch.load_safetensors(c.dir .. "/torch.safetensors")
  check_loaded(st, c.tensors, "torch.safetensors")
  -- back to PyTorch, with two tensors made in ember
  local made_h = torch.tensor({0.1, 1 / 3, 65519.0, 65520.0, 1e-8, -3e-8}, {dtype = torch.float16})
  local made_b = torch.tensor({0.1, 1 / 3, 3.4e38, 1e-40}, {dtype = torch.bfloat16})
  pt.made_h, pt.made_b = made_h, made_b
  torch.save(pt, c.dir .. "/ember.pt")
  local plain = {made_h = made_h, made_b = made_b}
  for _, k in ipairs(st:keys()) do plain[k] = st[k] end
  torch.save_safetensors(plain, c.dir .. "/ember.safetensors")
  local p = assert(io.popen(string.format("/usr/bin/python3 tests/peer/make_half_reference.py --check '%s' 2>&1",
    c.dir)))
  local out = p:read("a")
  local ok = p:close()
  T.ok(ok, "PyTorch reading ember's files:\n" .. out)
end

for _, c in ipairs(ref) do
  T.test(c.name, function() RUN[c.kind](c) end)
end

T.run()
