-- test_gradcheck.lua — a finite-difference gradient check for every
-- differentiable op in docs/lua-api.md, in float64, plus the accumulation
-- rules (two backward calls, one input used twice). Inputs avoid the points
-- where an op has no derivative (abs/relu at 0, ties in max, clamp bounds).
-- Run: build/ember run tests/lua/test_gradcheck.lua [name filter]

local T = require "ember.test"
local gradcheck = require "torch.gradcheck"

local function leaf(t) return t:detach():double():requires_grad_(true) end
local function rnd(...) return leaf(torch.randn(...)) end
local function pos(...) return leaf(torch.rand(...) + 0.5) end   -- values in [0.5, 1.5)
local function away(...)                                        -- |values| >= 0.2
  local r = torch.randn(...)
  return leaf(r:sign() * (r:abs() + 0.2))
end
local function const(data) return torch.tensor(data, {dtype = torch.float64}) end

-- Registers a gradcheck: make() returns the inputs, fn the op under test.
local function check(name, make, fn, opts)
  T.test(name, function()
    torch.manual_seed(1234)
    T.ok(gradcheck(fn, make(), opts))
  end)
end

-- gradcheck itself ---------------------------------------------------------

T.test("gradcheck catches a wrong gradient and names the input", function()
  torch.manual_seed(1)
  local x = away(3)
  local wrong = function(a) return a * a:detach() end   -- analytical a, true 2a
  local err = T.error(function() gradcheck(wrong, {x}) end, "gradcheck")
  T.ok(err:find("input 1", 1, true), err)
  T.ok(err:find("numerical", 1, true) and err:find("analytical", 1, true), err)
  local ok, msg = gradcheck(wrong, {x}, {raise_exception = false})
  T.eq(ok, false)
  T.ok(msg:find("element", 1, true), msg)
  T.eq(x.grad, nil, "gradcheck restores .grad")
end)

T.test("gradcheck without the full Jacobian still catches a wrong gradient", function()
  torch.manual_seed(1)
  local wrong = function(a, b) return a:matmul(b) + b:detach():square() end
  T.error(function() gradcheck(wrong, {rnd(3, 3), rnd(3, 3)}, {full = false}) end, "input 2")
end)

T.test("gradcheck wants float64 inputs that require grad", function()
  T.error(function() gradcheck(function(a) return a * 2 end, {torch.randn(3):requires_grad_()}) end,
    "float64")
  T.error(function() gradcheck(function(a) return a * 2 end, {torch.randn(3):double()}) end,
    "no input requires grad")
end)

T.test("gradcheck accepts a single tensor and ignores int outputs", function()
  torch.manual_seed(2)
  T.ok(gradcheck(function(a) return a:max(1) end, rnd(3, 4)))
end)

-- elementwise binary, with broadcasting both ways ---------------------------

local binary = {
  add = function(a, b) return a:add(b) end,
  sub = function(a, b) return a:sub(b) end,
  mul = function(a, b) return a:mul(b) end,
  div = function(a, b) return a:div(b) end,
}
local shapes = {
  {"same shape", {2, 3}, {2, 3}},
  {"row broadcast", {2, 3}, {3}},
  {"left broadcast", {3}, {2, 3}},
  {"outer broadcast", {2, 1}, {1, 3}},
  {"3-D vs 2-D", {2, 1, 3}, {4, 1}},
  {"0-dim", {}, {2, 2}},
}
for _, op in ipairs({"add", "sub", "mul", "div"}) do
  for _, s in ipairs(shapes) do
    check(op .. " " .. s[1], function()
      return {rnd(table.unpack(s[2])), op == "div" and away(table.unpack(s[3])) or rnd(table.unpack(s[3]))}
    end, binary[op])
  end
end
check("add with alpha", function() return {rnd(2, 3), rnd(3)} end,
  function(a, b) return a:add(b, {alpha = 2.5}) end)
check("sub with alpha", function() return {rnd(2, 3), rnd(2, 1)} end,
  function(a, b) return a:sub(b, {alpha = -0.5}) end)
check("torch.add/sub/mul/div functions", function() return {rnd(2, 3), away(3)} end,
  function(a, b) return torch.div(torch.mul(torch.sub(torch.add(a, b), b), a), b) end)
check("mul/div by numbers", function() return {away(2, 3)} end,
  function(a) return a:mul(3):div(0.5):add(1.5):sub(2) end)

check("pow scalar 2", function() return {rnd(2, 3)} end, function(a) return a:pow(2) end)
check("pow scalar 3 (negative base)", function() return {rnd(2, 3)} end, function(a) return a:pow(3) end)
check("pow scalar 0.5", function() return {pos(2, 3)} end, function(a) return a:pow(0.5) end)
check("pow scalar -1.5", function() return {pos(2, 3)} end, function(a) return a:pow(-1.5) end)
check("pow tensor exponent", function() return {pos(2, 3), rnd(2, 3)} end,
  function(a, b) return a:pow(b) end)
check("pow tensor exponent broadcast", function() return {pos(2, 3), rnd(3)} end,
  function(a, b) return torch.pow(a, b) end)
check("pow base broadcast", function() return {pos(3), rnd(2, 3)} end,
  function(a, b) return a:pow(b) end)
check("maximum", function() return {rnd(2, 3), rnd(2, 3)} end, function(a, b) return a:maximum(b) end)
check("minimum broadcast", function() return {rnd(2, 3), rnd(3)} end,
  function(a, b) return torch.minimum(a, b) end)
check("where", function() return {rnd(2, 3), rnd(2, 3)} end, function(a, b)
  local cond = torch.tensor({{true, false, true}, {false, false, true}})
  return torch.where(cond, a, b)
end)
check("where broadcast", function() return {rnd(2, 3), rnd(3)} end, function(a, b)
  return torch.where(torch.tensor({true, false, true}), a, b)
end)
check("x:where(cond, y)", function() return {rnd(2, 3), rnd(2, 3)} end, function(a, b)
  return a:where(a:gt(0), b)
end)

-- elementwise unary ------------------------------------------------------------

local unary = {
  {"neg", rnd, function(a) return a:neg() end},
  {"exp", rnd, function(a) return a:exp() end},
  {"log", pos, function(a) return a:log() end},
  {"log1p", pos, function(a) return a:log1p() end},
  {"sqrt", pos, function(a) return a:sqrt() end},
  {"abs", away, function(a) return a:abs() end},
  {"sign", away, function(a) return a:sign() * a end},
  {"relu", away, function(a) return a:relu() end},
  {"sigmoid", rnd, function(a) return a:sigmoid() end},
  {"tanh", rnd, function(a) return a:tanh() end},
  {"square", rnd, function(a) return a:square() end},
  {"reciprocal", away, function(a) return a:reciprocal() end},
  {"torch.exp", rnd, function(a) return torch.exp(a) end},
  {"torch.relu", away, function(a) return torch.relu(a) end},
  {"torch.sigmoid", rnd, function(a) return torch.sigmoid(a) end},
  {"torch.tanh", rnd, function(a) return torch.tanh(a) end},
}
for _, u in ipairs(unary) do
  check(u[1], function() return {u[2](2, 3)} end, u[3])
end
check("sign alone has zero gradient", function() return {away(4)} end, function(a) return a:sign() end)
check("relu of an all-negative input", function() return {leaf(-torch.rand(4) - 0.5)} end,
  function(a) return a:relu() end)

local clamp_x = function() return {const({{-1.3, -0.2, 0.3}, {0.9, 1.7, -0.7}}):requires_grad_()} end
check("clamp(min, max)", clamp_x, function(a) return a:clamp(-0.5, 0.5) end)
check("clamp{min=}", clamp_x, function(a) return a:clamp{min = 0.1} end)
check("clamp{max=}", clamp_x, function(a) return a:clamp{max = 0.1} end)
check("torch.clamp", clamp_x, function(a) return torch.clamp(a, -1, 1) end)

-- operators -------------------------------------------------------------------

check("operators + - * /", function() return {rnd(2, 3), away(2, 3)} end,
  function(a, b) return (a + b) * a - b / a + 2 * a - 1 / b + a / 4 - 3 + (5 - a) end)
check("operator ^ with number exponent", function() return {rnd(2, 3)} end,
  function(a) return a ^ 2 + a ^ 3 end)
check("operator ^ with tensor exponent", function() return {pos(2, 3), rnd(3)} end,
  function(a, b) return a ^ b end)
check("operator ^ with number base", function() return {rnd(2, 3)} end,
  function(a) return 2 ^ a end)
check("unary minus", function() return {rnd(2, 3)} end, function(a) return -a * -(a + 1) end)

-- reductions ------------------------------------------------------------------

local reducers = {
  {"sum all", function(a) return a:sum() end},
  {"sum dim 1", function(a) return a:sum(1) end},
  {"sum dim -1 keepdim", function(a) return a:sum(-1, true) end},
  {"sum {keepdim=true}", function(a) return a:sum(2, {keepdim = true}) end},
  {"sum multi-dim", function(a) return a:sum({1, 3}) end},
  {"torch.sum", function(a) return torch.sum(a, 2) end},
  {"mean all", function(a) return a:mean() end},
  {"mean dim 2", function(a) return a:mean(2) end},
  {"mean dim -1 keepdim", function(a) return a:mean(-1, true) end},
  {"mean multi-dim", function(a) return a:mean({1, 2}) end},
  {"prod all", function(a) return a:prod() end},
  {"prod dim 2", function(a) return a:prod(2) end},
  {"prod dim 1 keepdim", function(a) return a:prod(1, true) end},
  {"max all", function(a) return a:max() end},
  {"min all", function(a) return a:min() end},
  {"max dim", function(a) return a:max(2) end},
  {"max dim keepdim", function(a) return a:max(-1, true) end},
  {"min dim", function(a) return a:min(1) end},
  {"var all", function(a) return a:var() end},
  {"var dim", function(a) return a:var(2) end},
  {"var dim keepdim biased", function(a) return a:var(1, false, true) end},
  {"var correction=0", function(a) return a:var(3, {correction = 0}) end},
  {"std all", function(a) return a:std() end},
  {"std dim", function(a) return a:std(-1) end},
  {"std unbiased=false", function(a) return a:std({unbiased = false}) end},
  {"std dim keepdim", function(a) return a:std(2, true, true) end},
}
for _, r in ipairs(reducers) do
  check(r[1], function() return {away(2, 3, 4)} end, r[2])
end
check("prod with one zero", function() return {const({{2.0, 0.0, 3.0}, {1.5, -2.0, 0.5}}):requires_grad_()} end,
  function(a) return a:prod() end)
check("prod dim with one zero", function() return {const({{2.0, 0.0, 3.0}, {1.5, -2.0, 0.5}}):requires_grad_()} end,
  function(a) return a:prod(2) end)
check("sum of a 0-dim tensor", function() return {rnd()} end, function(a) return a:sum() end)

-- linear algebra --------------------------------------------------------------

local matmuls = {
  {"1-D @ 1-D", {4}, {4}},
  {"2-D @ 1-D", {3, 4}, {4}},
  {"1-D @ 2-D", {4}, {4, 2}},
  {"2-D @ 2-D", {3, 4}, {4, 2}},
  {"3-D @ 3-D", {2, 3, 4}, {2, 4, 2}},
  {"3-D @ 2-D", {2, 3, 4}, {4, 2}},
  {"2-D @ 3-D", {3, 4}, {2, 4, 2}},
  {"1-D @ 3-D", {4}, {2, 4, 3}},
  {"3-D @ 1-D", {2, 3, 4}, {4}},
  {"batch broadcast 4-D @ 3-D", {2, 1, 3, 4}, {3, 4, 2}},
  {"batch broadcast 1 vs n", {1, 3, 4}, {2, 4, 2}},
}
for _, m in ipairs(matmuls) do
  check("matmul " .. m[1], function() return {rnd(table.unpack(m[2])), rnd(table.unpack(m[3]))} end,
    function(a, b) return a:matmul(b) end)
end
check("matmul 8x8 (too big for the full Jacobian)", function() return {rnd(8, 8), rnd(8, 8)} end,
  function(a, b) return a:matmul(b) end)
check("torch.matmul", function() return {rnd(3, 4), rnd(4, 2)} end,
  function(a, b) return torch.matmul(a, b) end)
check("matmul of transposed (non-contiguous) inputs", function() return {rnd(4, 3), rnd(2, 4)} end,
  function(a, b) return a:t():matmul(b:t()) end)
check("mm", function() return {rnd(3, 4), rnd(4, 2)} end, function(a, b) return a:mm(b) end)
check("torch.mm", function() return {rnd(3, 4), rnd(4, 2)} end, function(a, b) return torch.mm(a, b) end)
check("bmm", function() return {rnd(2, 3, 4), rnd(2, 4, 2)} end, function(a, b) return a:bmm(b) end)
check("mv", function() return {rnd(3, 4), rnd(4)} end, function(a, b) return a:mv(b) end)
check("dot", function() return {rnd(5), rnd(5)} end, function(a, b) return a:dot(b) end)
check("torch.dot", function() return {rnd(5), rnd(5)} end, function(a, b) return torch.dot(a, b) end)

-- views -------------------------------------------------------------------------

local views = {
  {"view", function(a) return a:view(4, 6) end},
  {"view -1", function(a) return a:view(-1) end},
  {"view table", function(a) return a:view({3, -1}) end},
  {"view_as", function(a) return a:view_as(torch.zeros(6, 4)) end},
  {"reshape", function(a) return a:reshape(6, 4) end},
  {"reshape non-contiguous (copies)", function(a) return a:transpose(1, 3):reshape(-1) end},
  {"transpose", function(a) return a:transpose(1, 2) end},
  {"transpose negative dims", function(a) return a:transpose(-1, -3) end},
  {"t", function(a) return a[1]:t() end},
  {"T", function(a) return a.T end},
  {"permute", function(a) return a:permute(3, 1, 2) end},
  {"permute table", function(a) return a:permute({2, 3, 1}) end},
  {"unsqueeze", function(a) return a:unsqueeze(2) end},
  {"unsqueeze -1", function(a) return a:unsqueeze(-1) end},
  {"squeeze all", function(a) return a:unsqueeze(1):unsqueeze(3):squeeze() end},
  {"squeeze dim", function(a) return a:unsqueeze(2):squeeze(2) end},
  {"expand", function(a) return a:unsqueeze(1):expand(3, 2, 3, 4) end},
  {"expand -1", function(a) return a[{{}, {1, 1}, {}}]:expand(-1, 5, -1) end},
  {"expand_as", function(a) return a[{{}, {1, 1}, {}}]:expand_as(torch.zeros(2, 3, 4)) end},
  {"narrow", function(a) return a:narrow(3, 2, 2) end},
  {"narrow negative dim", function(a) return a:narrow(-2, 1, 2) end},
  {"select", function(a) return a:select(2, 3) end},
  {"select negative", function(a) return a:select(-1, -1) end},
  {"x[i]", function(a) return a[2] end},
  {"x[-1]", function(a) return a[-1] end},
  {"x[i][j]", function(a) return a[1][3] end},
  {"x[{i, range, all}]", function(a) return a[{1, {2, 3}, {}}] end},
  {"x[{':', negative}]", function(a) return a[{":", -1}] end},
  {"x[{range with negatives}]", function(a) return a[{{}, {-2, -1}, {2, -1}}] end},
  {"flatten", function(a) return a:flatten() end},
  {"flatten start", function(a) return a:flatten(2) end},
  {"flatten start end", function(a) return a:flatten(1, 2) end},
  {"contiguous", function(a) return a:transpose(1, 2):contiguous() end},
  {"clone", function(a) return a:clone() * 2 end},
  {"view of a view", function(a) return a:transpose(2, 3):narrow(2, 1, 3):select(1, 2):unsqueeze(1) end},
}
for _, v in ipairs(views) do
  check(v[1], function() return {rnd(2, 3, 4)} end, v[2])
end

-- joining and indexing ------------------------------------------------------------

check("cat dim 1", function() return {rnd(2, 3), rnd(1, 3), rnd(3, 3)} end,
  function(a, b, c) return torch.cat({a, b, c}) end)
check("cat dim 2", function() return {rnd(2, 3), rnd(2, 1)} end,
  function(a, b) return torch.cat({a, b}, 2) end)
check("cat dim -1 3-D", function() return {rnd(2, 2, 3), rnd(2, 2, 2)} end,
  function(a, b) return torch.cat({a, b}, -1) end)
check("cat the same tensor twice", function() return {rnd(2, 3)} end,
  function(a) return torch.cat({a, a * 2}, 1) end)
check("stack dim 1", function() return {rnd(2, 3), rnd(2, 3)} end,
  function(a, b) return torch.stack({a, b}) end)
check("stack dim 2", function() return {rnd(2, 3), rnd(2, 3), rnd(2, 3)} end,
  function(a, b, c) return torch.stack({a, b, c}, 2) end)
check("stack dim -1", function() return {rnd(2, 3), rnd(2, 3)} end,
  function(a, b) return torch.stack({a, b}, -1) end)
check("index_select with repeats", function() return {rnd(4, 3)} end,
  function(a) return a:index_select(1, torch.tensor({2, 0, 2, 3})) end)
check("index_select dim 2", function() return {rnd(2, 4)} end,
  function(a) return torch.index_select(a, 2, torch.tensor({3, 1})) end)
check("gather dim 2", function() return {rnd(3, 4)} end,
  function(a) return a:gather(2, torch.tensor({{0, 3}, {1, 1}, {2, 0}})) end)
check("gather dim 1", function() return {rnd(3, 4)} end,
  function(a) return a:gather(1, torch.tensor({{2, 0, 1, 1}, {0, 0, 2, 1}})) end)
check("scatter_add", function() return {rnd(3, 4), rnd(2, 4)} end,
  function(a, s) return a:scatter_add(1, torch.tensor({{0, 1, 2, 0}, {2, 2, 0, 0}}), s) end)
check("scatter_add dim 2", function() return {rnd(2, 5), rnd(2, 3)} end,
  function(a, s) return a:scatter_add(2, torch.tensor({{4, 0, 4}, {1, 2, 3}}), s) end)

-- conversions ---------------------------------------------------------------------

check("to(float64)", function() return {rnd(2, 3)} end, function(a) return a:to(torch.float64) * 2 end)
check("to{dtype=float64}", function() return {rnd(2, 3)} end, function(a) return a:to{dtype = torch.float64} * 2 end)
check("double() and type(float64)", function() return {rnd(2, 3)} end,
  function(a) return a:double():type(torch.float64) * 3 end)
check("float64 -> float32 -> float64", function() return {rnd(2, 3)} end,
  function(a) return (a * 3):float():to(torch.float64) end, {eps = 1e-2, atol = 1e-4, rtol = 1e-3})
check("cpu, clone, contiguous", function() return {rnd(2, 3)} end,
  function(a) return a:cpu():clone():contiguous() end)

-- in-place ops on non-leaf tensors -------------------------------------------------

check("in-place chain on a clone", function() return {away(2, 3), away(2, 3)} end, function(a, b)
  return a:clone():mul_(b):add_(a):sub_(b, {alpha = 2}):div_(b):neg_()
end)
-- exp_, sqrt_, tanh_ and sigmoid_ save their result (self): each comes last
-- on its tensor, since changing it afterwards fails at backward as in PyTorch
check("in-place unary on a clone", function() return {rnd(2, 3)} end, function(a)
  return a:clone():exp_() + a:clone():neg_():tanh_() + a:clone():sigmoid_() + a:abs():add(0.5):sqrt_()
end)
check("in-place pow_/clamp_/relu_/abs_", function() return {const({{1.3, -0.2}, {0.7, -1.6}}):requires_grad_()} end,
  function(a) return (a * 1.5):pow_(3):clamp_(-3, 3):abs_():relu_() end)
check("assignment x[i] = tensor into a clone", function() return {rnd(3, 2), rnd(2)} end, function(a, b)
  local c = a:clone()
  c[2] = b * 2
  return c
end)

-- composites and accumulation -------------------------------------------------------

check("linear layer + sigmoid + mean", function() return {rnd(4, 3), rnd(2, 3), rnd(2)} end,
  function(x, w, b) return (x:matmul(w:t()) + b):sigmoid():mean() end)
check("softmax written with ops", function() return {rnd(2, 4)} end, function(x)
  local e = (x - x:max(2, true)):exp()
  return e / e:sum(2, true)
end)
check("shared input used twice (x*x + exp x)", function() return {rnd(3)} end,
  function(x) return x * x + x:exp() end)
check("shared input in matmul (x @ x)", function() return {rnd(3, 3)} end,
  function(x) return x:matmul(x) end)
check("shared input through views (x^T x)", function() return {rnd(3, 2)} end,
  function(x) return x:t():mm(x) end)

T.test("grad accumulates over two backward calls with retain_graph", function()
  torch.manual_seed(3)
  local x = rnd(3)
  local y = (x * x):sum()
  y:backward(nil, {retain_graph = true})
  T.close(x.grad, x:detach() * 2, {rtol = 1e-12})
  y:backward()
  T.close(x.grad, x:detach() * 4, {rtol = 1e-12})
end)

T.test("grad accumulates over two separate graphs", function()
  torch.manual_seed(4)
  local x = rnd(2, 2)
  x:exp():sum():backward()
  ;(x * 3):sum():backward()
  T.close(x.grad, x:detach():exp() + 3, {rtol = 1e-12})
end)

T.test("an input used twice gets the sum of both paths", function()
  torch.manual_seed(5)
  local x = rnd(4)
  local y = (x * 2 + x:square()):sum()
  y:backward()
  T.close(x.grad, x:detach() * 2 + 2, {rtol = 1e-12})
  local z = rnd(3)
  torch.cat({z, z}):sum():backward()
  T.close(z.grad, torch.full({3}, 2.0), {rtol = 1e-12})
end)

-- relu's backward is one select, as PyTorch's threshold_backward:
-- grad where out <= 0 is 0 (even a NaN grad), and a NaN out passes grad on.
T.test("relu backward: zeros where out <= 0, NaN inputs pass the gradient, as PyTorch", function()
  for _, dt in ipairs({torch.float32, torch.float64}) do
    local x = torch.tensor({-1, 0, 2, 0 / 0}, {dtype = dt}):requires_grad_()
    x:relu():backward(torch.tensor({1, 0 / 0, 3, 4}, {dtype = dt}))
    local g = x.grad
    T.eq(g[1]:item(), 0)
    T.eq(g[2]:item(), 0)     -- out = 0: the NaN gradient does not leak through
    T.eq(g[3]:item(), 3)
    T.eq(g[4]:item(), 4)     -- out = NaN (not <= 0): the gradient passes
  end
end)

T.run()
