-- Autograd at its edges against real PyTorch 1.13: each case below is the
-- twin of the one with the same name in make_autograd_edges_reference.py
-- (dims and positions 1-based here). A case must succeed where PyTorch's
-- does, with the same gradients, and fail where PyTorch's fails with the
-- same message: the text after the name of the op ember reports ("backward:
-- ", "add_: ") equals PyTorch's, tensor type, shape and versions included.
-- The one rewording, declared in TWICE below: ember's second-backward
-- message speaks Lua (backward() without the dot, retain_graph=true).
local T = require "ember.test"
local ref = dofile(assert(arg[1], "usage: test_autograd_edges_parity.lua REFERENCE.lua"))

local TWICE = {
  {"when you call .backward() or autograd.grad().", "when you call backward() or autograd.grad()."},
  {"retain_graph=True", "retain_graph=true"},
}

local function leaf(values, dtype)
  return torch.tensor(values, {requires_grad = true, dtype = dtype or torch.float32})
end

local C = {}

-- the version counter: a saved tensor modified in place
function C.relu_then_mul_()
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:relu_()
  h:mul_(3)
  h:sum():backward()
  return {p}
end

function C.exp_output_mul_()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:mul_(3)
  y:sum():backward()
  return {p}
end

function C.saved_input_add_()
  local p, b = leaf({1, -2, 3}), leaf({0.5, 0.25, 2})
  local a = p * 2
  local y = a * b
  a:add_(1)
  y:sum():backward()
  return {p, b}
end

function C.saved_input_no_grad()
  local p, b = leaf({1, -2, 3}), leaf({0.5, 0.25, 2})
  local a = p * 2
  local y = a * b
  torch.no_grad(function() a:add_(1) end)
  y:sum():backward()
  return {p, b}
end

function C.saved_constant()
  local a, b = torch.tensor({1, 2, 3}, {dtype = torch.float32}), leaf({0.5, 0.25, 2})
  local y = a * b
  a:add_(1)
  y:sum():backward()
  return {b}
end

function C.double_2x3_twice()
  local a = torch.tensor({{1, 2, 3}, {4, 5, 6}}, {dtype = torch.float64})
  local b = leaf({{1, 2, 3}, {4, 5, 6}}, torch.float64)
  local y = a * b
  a:add_(1)
  a:sub_(1)
  y:sum():backward()
  return {b}
end

function C.scalar_0d()
  local a, b = torch.tensor(2.0), leaf({0.5, 0.25, 2})
  local y = b * a
  a:add_(1)
  y:sum():backward()
  return {b}
end

function C.long_indices()
  local x = leaf({{1, 5, 3}, {4, 2, 6}})
  local v, i = x:max(2)
  i:add_(1)
  v:sum():backward()
  return {x}
end

function C.output_through_view()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  local v = y:view(-1)
  v:add_(1)
  y:sum():backward()
  return {p}
end

function C.input_through_view()
  local p, b = leaf({1, -2, 3}), leaf({0.5, 0.25, 2})
  local a = p * 2
  local y = a * b
  a:view(-1):add_(1)
  y:sum():backward()
  return {p, b}
end

function C.saved_view_base_changed()
  local p, b = leaf({1, -2, 3}), leaf({0.5, 0.25})
  local a = p * 2
  local y = a:narrow(1, 1, 2) * b
  a:add_(1)
  y:sum():backward()
  return {p, b}
end

function C.inplace_on_view_then_base()
  local p = leaf({1, -2, 3})
  local h = p * 2
  local v = h:narrow(1, 1, 2)
  v:exp_()
  h:add_(1)
  h:sum():backward()
  return {p}
end

function C.detach_shares_version()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:detach():mul_(3)
  y:sum():backward()
  return {p}
end

function C.detach_zero_twice()
  local p = leaf({1, -2, 3})
  local y = (p * 2):sigmoid()
  y:detach():zero_()
  y:detach():zero_()
  y:sum():backward()
  return {p}
end

function C.setitem()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y[1] = 5
  y:sum():backward()
  return {p}
end

function C.fill_()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:fill_(2)
  y:sum():backward()
  return {p}
end

function C.copy_()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:copy_(torch.ones(3))
  y:sum():backward()
  return {p}
end

function C.clamp_()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:clamp_(0, 1)
  y:sum():backward()
  return {p}
end

function C.h_times_h_mul_()
  local p = leaf({1, -2, 3})
  local h = p * 2
  local y = h * h
  h:mul_(3)
  y:sum():backward()
  return {p}
end

function C.mul_self()
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:mul_(h)
  h:sum():backward()
  return {p}
end

function C.div_self()
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:div_(h)
  h:sum():backward()
  return {p}
end

function C.sqrt_then_mul_()
  local p = leaf({1, 2, 3})
  local h = p * 2
  h:sqrt_()
  h:mul_(2)
  h:sum():backward()
  return {p}
end

function C.pow_tensor_then_add_()
  local p, q = leaf({1, 2, 3}), leaf({1, 2, 3})
  local h = p * 2
  h:pow_(q)
  h:add_(1)
  h:sum():backward()
  return {p, q}
end

local function step_then_backward(make)
  local w = nn.Parameter(torch.tensor({1, -2, 3}, {dtype = torch.float32}))
  local y = (w * w):sum()
  local opt = make(w)
  w.grad = torch.ones(3)
  opt:step()
  y:backward()
  return {w}
end

function C.sgd_step() return step_then_backward(function(w) return optim.SGD({w}, {lr = 0.1}) end) end
function C.adam_step() return step_then_backward(function(w) return optim.Adam({w}, {lr = 0.1}) end) end

function C.normal_saved()
  local p = leaf({1, -2, 3})
  local y = (p * 2):exp()
  y:normal_()
  y:sum():backward()
  return {p}
end

-- in-place ops that succeed: the modified tensor is not needed
function C.normal_non_leaf()
  torch.manual_seed(0)
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:normal_()
  h:sum():backward()
  return {p}
end

function C.uniform_view_of_non_leaf()
  torch.manual_seed(0)
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:narrow(1, 1, 2):uniform_()
  h:sum():backward()
  return {p}
end

function C.unsaved_modified()
  local p = leaf({1, -2, 3})
  local h = p * 2
  local y = h + 1
  h:mul_(3)
  y:sum():backward()
  return {p}
end

function C.exp_input_modified()
  local p = leaf({1, -2, 3})
  local h = p * 2
  local y = h:exp()
  h:add_(1)
  y:sum():backward()
  return {p}
end

function C.add_self()
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:add_(h)
  h:sum():backward()
  return {p}
end

function C.mul_other()
  local p, q = leaf({1, -2, 3}), leaf({0.5, 0.25, 2})
  local x = p * 2
  x:mul_(q)
  x:add_(1)
  x:sum():backward()
  return {p, q}
end

function C.log_then_mul_()
  local p = leaf({1, 2, 3})
  local h = p * 2
  h:log_()
  h:mul_(2)
  h:sum():backward()
  return {p}
end

function C.pow_scalar_then_add_()
  local p = leaf({1, 2, 3})
  local h = p * 2
  h:pow_(2)
  h:add_(1)
  h:sum():backward()
  return {p}
end

function C.relu_alone()
  local p = leaf({1, -2, 3})
  local h = p * 2
  h:relu_()
  h:sum():backward()
  return {p}
end

-- in-place ops on leaves that require grad
function C.leaf_add_()
  local p = leaf({1, -2, 3})
  p:add_(1)
  return {p}
end

function C.leaf_setitem()
  local p = leaf({1, -2, 3})
  p[1] = 1
  return {p}
end

function C.leaf_view_add_()
  local p = leaf({1, -2, 3})
  p:view(-1):add_(1)
  return {p}
end

function C.leaf_normal_()
  local p = leaf({1, -2, 3})
  p:normal_()
  return {p}
end

function C.leaf_no_grad()
  local p = leaf({1, -2, 3})
  torch.no_grad(function() p:add_(1) end)
  ;(p * p):sum():backward()
  return {p}
end

-- a second backward without retain_graph
function C.twice_retain_grad()
  local x = leaf({1, 2, 3, 4})
  local h = x + 1
  h:retain_grad()
  local y = h:sum()
  y:backward()
  y:backward()
  return {x, h}
end

local twice = {
  add_sum = function(x) return (x + 1):sum() end,
  sum_only = function(x) return x:sum() end,
  mean = function(x) return x:mean() end,
  views = function(x) return x:view(2, 2):expand(3, 2, 2):transpose(2, 3):permute(3, 1, 2):sum() end,
  reshape_flatten = function(x) return x:reshape(2, 2):unsqueeze(1):squeeze(1):flatten():sum() end,
  narrow_select = function(x) return x:narrow(1, 2, 2):sum() + x:select(1, 4) end,
  cat_stack = function(x) return torch.cat({x, x}):sum() + torch.stack({x, x}):sum() end,
  clone_sub = function(x) return (x:clone() - x:t()):sum() + x:add(x, {alpha = 2}):sum() end,
  to_double = function(x) return x:double():sum() end,
  mul_scalar = function(x) return (x * 2):sum() end,
  div_scalar = function(x) return (x / 2):sum() end,
  mul = function(x) return (x * x):sum() end,
  exp = function(x) return x:exp():sum() end,
  relu = function(x) return x:relu():sum() end,
  matmul = function(x) return (x:view(2, 2):matmul(torch.ones(2, 2))):sum() end,
  index_select = function(x) return x:index_select(1, torch.tensor({0, 2})):sum() end,
  max_all = function(x) return x:max() end,
}
for name, fn in pairs(twice) do
  C["twice_" .. name] = function()
    local x = leaf({1, 2, 3, 4})
    local y = fn(x)
    y:backward()
    y:backward()
    return {x}
  end
end

-- The message without its place and without the op ember names first.
local function core_message(msg)
  msg = tostring(msg):gsub("^[^\n]-:%d+: ", "", 1)
  return (msg:gsub("^[%w_]+: ", "", 1))
end

local function expected_message(c)
  local m = c.message
  if m:find("backward through the graph a second time", 1, true) then
    for _, r in ipairs(TWICE) do
      local i, j = m:find(r[1], 1, true)
      assert(i, "PyTorch's second-backward message changed: " .. m)
      m = m:sub(1, i - 1) .. r[2] .. m:sub(j + 1)
    end
  end
  return m
end

local seen = {}
for _, c in ipairs(ref) do
  seen[c.name] = true
  T.test(c.name, function()
    local fn = assert(C[c.name], "no Lua twin for this case")
    local ok, res = pcall(fn)
    if not c.ok then
      T.eq(ok, false, "PyTorch fails here")
      T.eq(core_message(res), expected_message(c))
      return
    end
    T.ok(ok, ok or tostring(res))
    T.eq(#res, #c.grads, "tensors returned")
    for i, g in ipairs(c.grads) do
      if g == false then T.eq(res[i].grad, nil, "grad " .. i)
      else T.close(res[i].grad, g, {rtol = 1e-6, msg = "grad " .. i}) end
    end
  end)
end

T.test("every Lua case has a PyTorch reference", function()
  for name in pairs(C) do T.ok(seen[name], name .. " is missing from the reference") end
end)

T.run()
