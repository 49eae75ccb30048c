-- Hooks and torch.autograd.grad against real PyTorch 1.13: each case below
-- is the twin of the one with the same name in make_hooks_reference.py.
-- A case's log (every hook call in order, with its label and the gradients
-- it was given) must equal PyTorch's: the same calls in the same order,
-- values within float32 rounding; then the .grad of the returned tensors.
local T = require "ember.test"
local ref = dofile(assert(arg[1], "usage: test_hooks_parity.lua REFERENCE.lua"))

local function leaf(values) return torch.tensor(values, {requires_grad = true, dtype = torch.float32}) end

local function flat(t)
  if t == nil then return "none" end
  return t:detach():reshape(-1):tolist()
end

local function logger(log, label, replace)
  return function(g)
    log[#log + 1] = {label, flat(g)}
    if replace then return replace(g) end
  end
end

local C = {}

function C.tensor_hook_replaces(log)
  local x = leaf({1, -2, 3})
  local y = x * 2
  y:register_hook(logger(log, "y first", function(g) return g * 10 end))
  y:register_hook(logger(log, "y second"))
  x:register_hook(logger(log, "x"))
  local l = (y * y):sum()
  l:backward()
  return {x}
end

function C.hooks_around_retain_grad(log)
  local x = leaf({1, 2})
  local y = x * 2
  y:register_hook(logger(log, "before retain", function(g) return g + 1 end))
  y:retain_grad()
  y:register_hook(logger(log, "after retain", function(g) return g * 3 end))
  local l = (y * y):sum()
  l:backward()
  log[#log + 1] = {"y.grad", flat(y.grad)}
  return {x}
end

function C.leaf_used_twice(log)
  local x = leaf({1, 2})
  x:register_hook(logger(log, "x"))
  local l = (x * 3 + x:exp() * 5):sum()
  l:backward()
  return {x}
end

function C.branching_order(log)
  local x = leaf({0.5, -1, 2})
  local a = x * 2
  local b = x:exp()
  local c = a:tanh()
  local d = b + c
  local e = d * a
  for _, p in ipairs{{"a", a}, {"b", b}, {"c", c}, {"d", d}, {"e", e}} do p[2]:register_hook(logger(log, p[1])) end
  x:register_hook(logger(log, "x"))
  e:sum():backward()
  return {x}
end

function C.hook_on_root_leaf(log)
  local x = leaf({1, 2})
  x:register_hook(logger(log, "x", function(g) return g * 2 end))
  x:backward(torch.tensor({3.0, 4.0}))
  return {x}
end

local function mlp()
  local lin1, lin2 = nn.Linear(3, 4), nn.Linear(4, 2)
  torch.no_grad(function()
    lin1.weight:copy_(torch.arange(12.0):reshape(4, 3) / 10 - 0.5)
    lin1.bias:copy_(torch.tensor({0.1, -0.2, 0.3, -0.4}))
    lin2.weight:copy_(torch.arange(8.0):reshape(2, 4) / 8 - 0.3)
    lin2.bias:copy_(torch.tensor({0.05, -0.05}))
  end)
  return nn.Sequential(lin1, nn.ReLU(), lin2)
end

local function module_logger(log, label, replace)
  return function(m, gin, gout)
    local gi, go = {}, {}
    for i = 1, gin.n do gi[i] = flat(gin[i]) end
    for i = 1, gout.n do go[i] = flat(gout[i]) end
    log[#log + 1] = {label, gi, go}
    if replace then return replace(gin) end
  end
end

function C.full_backward_hooks_mlp(log)
  local model = mlp()
  for i = 1, 3 do model[i]:register_full_backward_hook(module_logger(log, "layer " .. (i - 1))) end
  model:register_full_backward_hook(module_logger(log, "model"))
  local x = leaf({{1, -1, 0.5}, {0.2, 0.3, -0.7}})
  model(x):sum():backward()
  return {x, model[1].weight, model[3].bias}
end

function C.full_backward_hook_replaces(log)
  local model = mlp()
  model[2]:register_full_backward_hook(module_logger(log, "relu", function(gin) return {gin[1] * 0.5} end))
  local x = leaf({{1, -1, 0.5}, {0.2, 0.3, -0.7}})
  model(x):sum():backward()
  return {x, model[1].weight}
end

function C.full_backward_hook_input_without_grad(log)
  local model = mlp()
  model[1]:register_full_backward_hook(module_logger(log, "first"))
  local x = torch.tensor({{1, -1, 0.5}})
  model(x):sum():backward()
  return {model[1].weight}
end

function C.autograd_grad_values(log)
  local x, w = leaf({1, 2, 3}), leaf({0.5, -1, 2})
  local y = (x * w):exp()
  local g = torch.autograd.grad(y, {x, w}, torch.tensor({1.0, 0.5, 0.25}))
  log[#log + 1] = {"gx", flat(g[1])}
  log[#log + 1] = {"gw", flat(g[2])}
  local z = (x * x):sum()
  log[#log + 1] = {"gz", flat(torch.autograd.grad(z, x, {retain_graph = true})[1])}
  local u = leaf({1})
  local gu = torch.autograd.grad(z, {x, u}, {allow_unused = true})
  log[#log + 1] = {"unused", flat(gu[2])}
  local ok, err = pcall(torch.autograd.grad, (x * 2):sum(), {x, u})
  assert(not ok)
  log[#log + 1] = {"error", (tostring(err):match("(One of the differentiated.-behavior%.)"))}
  return {x, w}
end

function C.autograd_grad_hooks(log)
  local x = leaf({1, 2})
  x:register_hook(logger(log, "leaf", function(g) return g * 10 end))
  -- each result is taken before it is logged: `log[#log + 1] = f()` would
  -- compute the index before f's hooks log
  local gx = flat(torch.autograd.grad((x * 3):sum(), x)[1])
  log[#log + 1] = {"grad x", gx}
  local y = x * 2
  y:register_hook(logger(log, "y", function(g) return g * 10 end))
  local gy = flat(torch.autograd.grad((y * 3):sum(), y)[1])
  log[#log + 1] = {"grad y", gy}
  local gxy = flat(torch.autograd.grad((y * 3):sum(), x)[1])
  log[#log + 1] = {"grad x through y", gxy}
  return {x}
end

local function same(a, b, where)
  if type(b) == "table" then
    T.ok(type(a) == "table", where .. ": expected a list, got " .. tostring(a))
    T.eq(#a, #b, where .. ": length")
    for i = 1, #b do same(a[i], b[i], where .. "[" .. i .. "]") end
  elseif type(b) == "number" then
    T.ok(type(a) == "number", where .. ": expected a number, got " .. tostring(a))
    T.ok(math.abs(a - b) <= 1e-6 + 1e-5 * math.abs(b), string.format("%s: got %.9g, expected %.9g", where, a, b))
  else
    T.eq(a, b, where)
  end
end

for name, expected in pairs(ref) do
  T.test(name, function()
    local fn = assert(C[name], "no ember twin for case " .. name)
    local log = {}
    local leaves = fn(log)
    local grads = {}
    for i, t in ipairs(leaves) do grads[i] = flat(t.grad) end
    same(log, expected.log, "log")
    same(grads, expected.grads, "grads")
  end)
end

T.run()
