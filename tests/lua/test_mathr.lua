-- test_mathr.lua — float64 gradient checks of cumsum, cumprod (with zeros),
-- logsumexp, amax/amin, the norms, nan_to_num, clamp with tensor bounds,
-- lerp and std_mean/var_mean, plus the errors and options that the PyTorch
-- peer (tests/peer/test_mathr_parity.lua) does not reach. Inputs avoid the
-- points where an op has no derivative (ties, |x| = 0 for norms, bounds).
-- Run: build/ember run tests/lua/test_mathr.lua [name filter]

local T = require "ember.test"

local function leaf(t) return t:detach():double():requires_grad_(true) end
local function rnd(...) return leaf(torch.randn(...)) end
local function away(...)                                        -- |values| >= 0.2
  local r = torch.randn(...)
  return leaf(r:sign() * (r:abs() + 0.2))
end
local function const(data) return torch.tensor(data, {dtype = torch.float64, requires_grad = true}) end

local check = T.gradcheck   -- check(name, make, fn): a "gradcheck NAME" test

check("cumsum dim 2", function() return {rnd(2, 3, 4)} end, function(a) return a:cumsum(2) end)
check("cumsum dim -1 of a transposed view", function() return {rnd(3, 4)} end, function(a) return a:t():cumsum(-1) end)
check("cumprod dim 1", function() return {away(4, 3)} end, function(a) return a:cumprod(1) end)
check("cumprod with one zero", function() return {const({2.0, 0.0, 3.0, 0.5})} end,
  function(a) return a:cumprod(1) end)
check("cumprod with two zeros", function() return {const({{2.0, 0.0, 3.0, 0.0, 1.5}, {0.0, 1.2, -1.0, 2.0, 0.7}})} end,
  function(a) return torch.cumprod(a, 2) end)
check("logsumexp dim", function() return {rnd(2, 3, 4)} end, function(a) return a:logsumexp(2) end)
check("logsumexp dims keepdim", function() return {rnd(2, 3, 4)} end,
  function(a) return torch.logsumexp(a, {1, 3}, true) end)
check("amax", function() return {rnd(2, 3, 4)} end, function(a) return a:amax() end)
check("amax dims", function() return {rnd(2, 3, 4)} end, function(a) return a:amax({1, 3}) end)
check("amin dim keepdim", function() return {rnd(2, 3, 4)} end, function(a) return a:amin(-1, true) end)
for _, p in ipairs({2, 1, 3, 1.5, 0.5, math.huge, -math.huge}) do
  check("norm p=" .. p, function() return {away(2, 3)} end, function(a) return a:norm(p) end)
  check("norm p=" .. p .. " dim", function() return {away(2, 3)} end, function(a) return a:norm(p, 2) end)
  check("vector_norm ord=" .. p, function() return {away(2, 3, 2)} end,
    function(a) return torch.linalg.vector_norm(a, p, {1, 3}, true) end)
end
check("norm 'fro' over two dims", function() return {rnd(2, 3, 4)} end, function(a) return a:norm("fro", {2, 3}) end)
for _, ord in ipairs({"fro", 1, -1, math.huge, -math.huge}) do
  check("matrix_norm " .. tostring(ord), function() return {away(2, 3, 4)} end,
    function(a) return torch.linalg.matrix_norm(a, ord) end)
end
check("nan_to_num", function() return {rnd(5)} end, function(a) return a:nan_to_num() end)
check("clamp with tensor bounds", function() return {rnd(2, 3), const({-0.5, -0.1, -1.0}), const({{0.5}, {0.3}})} end,
  function(a, lo, hi) return a:clamp(lo, hi) end)
check("clamp with a tensor min", function() return {rnd(2, 3), const({-0.5, -0.1, -1.0})} end,
  function(a, lo) return torch.clamp(a, lo) end)
check("lerp number weight", function() return {rnd(2, 3), rnd(2, 3)} end,
  function(a, b) return torch.lerp(a, b, 0.3) end)
check("lerp large weight", function() return {rnd(2, 3), rnd(3)} end, function(a, b) return a:lerp(b:expand(2, 3), 0.8) end)
check("lerp tensor weight", function() return {rnd(2, 3), rnd(3), rnd(2, 1)} end,
  function(a, b, w) return torch.lerp(a, b, w) end)
check("std_mean", function() return {rnd(3, 4)} end,
  function(a) local s, m = torch.std_mean(a, 2); return s + m * 2 end)
check("var_mean correction 0", function() return {rnd(3, 4)} end,
  function(a) local v, m = torch.var_mean(a, {correction = 0}); return v + m end)

T.test("sign and sgn of NaN, zero and integers", function()
  local x = torch.tensor({0 / 0, -0.0, 0.0, -3.0, 1 / 0})
  T.close(x:sign(), {0, 0, 0, -1, 1})
  T.close(torch.sgn(x), {0, 0, 0, -1, 1})
  T.eq(torch.tensor({-4, 0, 9}):sgn():tolist()[1], -1)
  local y = torch.tensor({1.0, -2.0}, {requires_grad = true})
  T.eq(y:sgn().grad_fn:name(), "SgnBackward0")
end)

T.test("amax, max and prod of long rows (the vector-lane kernels): NaN anywhere, ties, tails", function()
  for _, n in ipairs({5, 64, 1003}) do
    for _, at in ipairs({1, n // 2 + 1, n}) do
      local x = torch.rand(n)
      x[at] = 0 / 0
      T.ok(x:amax():isnan():item() and x:amin():isnan():item() and x:max():isnan():item(), "NaN at " .. at)
      T.ok(x:double():amax():isnan():item(), "float64 NaN at " .. at)
      x[at] = 7
      T.eq(x:amax():item(), 7)
      T.eq(x:argmax():item(), at - 1)
      x[at] = -7
      T.eq(x:amin():item(), -7)
    end
    local y = torch.rand(n) + 0.5
    local ref = 1.0
    for _, v in ipairs(y:tolist()) do ref = ref * v end
    T.close(y:double():prod(), ref, {rtol = 1e-12})
  end
  T.eq(torch.tensor({-1 / 0, -1 / 0}):amax():item(), -1 / 0)
end)

T.test("dtype rules of cumsum and cumprod", function()
  T.eq(tostring(torch.tensor({1, 2}, {dtype = torch.int32}):cumsum(1).dtype), "torch.int64")
  T.eq(tostring(torch.tensor({true, true}):cumprod(1).dtype), "torch.int64")
  T.eq(tostring(torch.tensor({1, 2}):cumsum(1, {dtype = torch.float32}).dtype), "torch.float32")
  T.close(torch.tensor({1, 2, 3}):cumsum(1, {dtype = torch.float64}), {1, 3, 6})
end)

T.test("argument errors name the function", function()
  local x = torch.ones(2, 3)
  T.error(function() return x:cumsum() end, "cumsum: missing the dim")
  T.error(function() return x:cumsum(3) end, "cumsum")
  T.error(function() return x:cumsum(1, {dimm = 1}) end, "did you mean 'dim'")
  T.error(function() return x:cumsum(1, {out = x}) end, "out")
  T.error(function() return x:logsumexp() end, "logsumexp: missing the dim")
  T.error(function() return x:norm("nuc") end, "singular value")
  T.error(function() return x:norm("max") end, "norm: p must be")
  T.error(function() return torch.linalg.matrix_norm(x, 2) end, "singular value")
  T.error(function() return torch.linalg.matrix_norm(torch.ones(3)) end, "at least 2 dimensions")
  T.error(function() return torch.linalg.matrix_norm(x, 1, {1, 1}) end, "dims must be different")
  T.error(function() return torch.linalg.vector_norm(torch.tensor({1, 2})) end, "floating point")
  T.error(function() return torch.isclose(torch.ones(2), torch.ones(2, {dtype = torch.float64})) end, "did not match")
  T.error(function() return torch.isclose(x, x, -1) end, "rtol must be greater")
  T.error(function() return torch.lerp(x, torch.ones(3, {dtype = torch.float64}), 0.5) end, "lerp: expected dtype")
  T.error(function() return torch.amax(torch.ones(0)) end, "amax")
  T.error(function() return torch.normal(1.0, -1.0, {2}) end, "std >= 0.0")
  T.error(function() return torch.normal(torch.zeros(2), torch.tensor({1.0, -1.0})) end, "all elements of std")
  T.error(function() return torch.normal(1.0, 2.0) end, "give the size")
  T.error(function() return torch.zeros_like(x, {memory_format = 1}) end, "memory_format")
  T.error(function() return torch.logspace(0, 1, -1) end, "non-negative")
  T.error(function() return torch.clamp(x, nil, nil) end, "clamp")
  T.error(function() return x:clone():clamp_(torch.zeros(3)) end, "clamp_: tensor bounds")
end)

T.test("allclose follows isclose (inf equals inf, dtypes must match)", function()
  T.eq(torch.allclose(torch.tensor({1 / 0, 1.0}), torch.tensor({1 / 0, 1.0 + 1e-7})), true)
  T.eq(torch.allclose(torch.tensor({0 / 0}), torch.tensor({0 / 0})), false)
  T.eq(torch.allclose(torch.tensor({0 / 0}), torch.tensor({0 / 0}), {equal_nan = true}), true)
  T.eq(torch.tensor({1.0, 2.0}):allclose(torch.tensor({1.0, 2.1}), 0.1), true)
  T.error(function() return torch.allclose(torch.ones(1), torch.ones(1, {dtype = torch.float64})) end, "did not match")
end)

T.test("normal draws the stream randn draws", function()
  torch.manual_seed(5)
  local z = torch.randn(30)
  torch.manual_seed(5)
  T.close(torch.normal(torch.zeros(30), torch.ones(30)), z, {rtol = 0, atol = 0})
  torch.manual_seed(5)
  T.close(torch.normal(1.0, torch.full({30}, 2.0)), z * 2 + 1, {rtol = 1e-6, atol = 1e-6})
  local g = torch.Generator():manual_seed(5)
  T.close(torch.normal(0.0, 1.0, {30}, {generator = g}), z, {rtol = 0, atol = 0})
end)

T.test("normal with tensor mean and std: NormalBackward1-3, zero gradients", function()
  local m = torch.zeros(3, {requires_grad = true})
  local s = torch.ones(1, {requires_grad = true})
  T.eq(torch.normal(m, 1.0).grad_fn:name(), "NormalBackward1")
  T.eq(torch.normal(0.0, s:expand(3)).grad_fn:name(), "NormalBackward2")
  local r = torch.normal(m, s)
  T.eq(r.grad_fn:name(), "NormalBackward3")
  r:sum():backward()
  T.close(m.grad, {0, 0, 0})
  T.close(s.grad, {0})
  T.eq(torch.normal(torch.zeros(2), 1.0).requires_grad, false)
end)

T.test("the ONNX exporter refuses the new ops on traced tensors (never a baked-in constant)", function()
  local vector_norm = torch.linalg.vector_norm
  local path = os.tmpname()
  for _, f in ipairs({function(y) return y / torch.linalg.vector_norm(y) end,
                      function(y) return y:cumsum(2) end,
                      function(y) return torch.logsumexp(y, 2) end}) do
    local M = nn.Module:extend("NormModel")
    function M:__init() nn.Module.__init(self); self.l = nn.Linear(3, 3) end
    function M:forward(x) return f(self.l(x)) end
    T.error(function() torch.onnx.export(M(), torch.ones(1, 3), path) end, "not supported by the ONNX exporter")
  end
  os.remove(path)
  T.ok(rawequal(torch.linalg.vector_norm, vector_norm), "torch.linalg restored after the export")
end)

T.test("*_like creators take dtype, device and requires_grad", function()
  local x = torch.zeros(2, 3, {dtype = torch.float64})
  T.eq(tostring(torch.ones_like(x, {device = "cpu"}).dtype), "torch.float64")
  T.eq(torch.zeros_like(x, {requires_grad = true}).requires_grad, true)
  T.eq(tostring(torch.randint_like(x, 3).dtype), "torch.float64")
  local r = torch.randint_like(x, 2, 4)
  T.ok(r:ge(2):all():item() and r:lt(4):all():item())
end)

T.run()
