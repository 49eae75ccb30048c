-- The indexing, masking and shape ops of issue 22 against real PyTorch 1.13:
-- every case of make_shape_reference.py (which holds each case's Lua
-- expression beside its PyTorch twin) is run here on the same input values.
-- Outputs must match in size, dtype and grad_fn name, values within 1e-6
-- relative for floats and exactly for integers and booleans; the gradients
-- of sum_k (out_k * w_k).sum() with the reference's weights must match too;
-- a case that fails in PyTorch must fail here. Inputs are bound by kind:
-- float and integer tensors to a, b, c in order, bool masks to m.
local T = require "ember.test"
local ref = dofile(assert(arg[1], "usage: test_shape_parity.lua REFERENCE.lua"))

local DTYPES = {float32 = torch.float32, float64 = torch.float64, int64 = torch.int64, bool = torch.bool}

local function make(d)
  local t
  if #d.values == 0 then
    t = torch.zeros(0, {dtype = DTYPES[d.dtype]})
  else
    t = torch.tensor(d.values, {dtype = DTYPES[d.dtype]})
  end
  t = t:reshape(d.shape)
  if d.grad then t:requires_grad_(true) end
  return t
end

local function size_text(shape)
  local parts = {}
  for i, n in ipairs(shape) do parts[i] = tostring(n) end
  return "torch.Size([" .. table.concat(parts, ", ") .. "])"
end

local function compare(got, want, msg)
  T.eq(tostring(got:size()), size_text(want.shape), msg .. " size")
  T.eq(tostring(got.dtype), tostring(DTYPES[want.dtype]), msg .. " dtype")
  local exact = want.dtype ~= "float32" and want.dtype ~= "float64"
  T.close(got:detach(), want.values, {rtol = exact and 0 or 1e-6, atol = exact and 0 or 1e-6, msg = msg})
end

for _, case in ipairs(ref) do
  T.test(case.name .. ": " .. case.lua, function()
    local env = setmetatable({}, {__index = _G})
    local names, inputs = {"a", "b", "c"}, {}
    for i, d in ipairs(case.inputs) do
      inputs[i] = make(d)
      if d.dtype == "bool" then
        env[env.m and "m2" or "m"] = inputs[i]
      else
        env[table.remove(names, 1)] = inputs[i]
      end
    end
    local fn = assert(load("return " .. case.lua, "=" .. case.name, "t", env))
    if case.error then
      local ok, err = pcall(fn)
      T.ok(not ok, "PyTorch fails (" .. case.error .. "), ember does not")
      return
    end
    local out = fn()
    local outs = out
    if torch.is_tensor(out) then
      T.ok(not case.tuple, "PyTorch returns a tuple")
      outs = {out}
    else
      T.ok(case.tuple and torch.is_tuple(out), "a torch.tuple, as PyTorch's tuple")
    end
    T.eq(#outs, #case.outputs, "number of outputs")
    local loss
    for k, o in ipairs(outs) do
      local want = case.outputs[k]
      compare(o, want, "output " .. k)
      T.eq(o.grad_fn and o.grad_fn:name() or "", want.grad_fn, "output " .. k .. " grad_fn")
      if o:is_floating_point() and o.requires_grad then
        local w = #case.weights[k] > 0 and torch.tensor(case.weights[k], {dtype = o.dtype}) or
          torch.zeros(0, {dtype = o.dtype})
        w = w:reshape(o:size())
        local term = (o * w):sum()
        loss = loss and loss + term or term
      end
    end
    if loss then loss:backward() end
    for i, g in ipairs(case.grads) do
      if g then
        T.ok(inputs[i].grad ~= nil, "input " .. i .. " has a gradient")
        T.close(inputs[i].grad, g, {rtol = 1e-6, atol = 1e-6, msg = "grad of input " .. i})
      else
        T.ok(inputs[i].grad == nil, "input " .. i .. " has no gradient in PyTorch")
      end
    end
  end)
end

T.run()
