-- Compares ember's nn functions (linear, conv2d, pooling, softmax, losses,
-- batch_norm, dropout, bernoulli) with reference results computed by real
-- PyTorch 1.13. The data file (arg[1]) comes from tests/peer/make_nn_reference.py;
-- each case is one test: output dtype, shape and values, further outputs
-- (pooling indices, running statistics after the update), then the gradients of
-- sum(out * w), and last the grad_fn names. Dropout and bernoulli cases seed both
-- sides alike, so a passing case means ember drew exactly PyTorch's mask.
-- Run by tests/peer/peer.sh nn:  ember run tests/peer/test_nn_parity.lua DATA.lua

local T = require "ember.test"

local data_path = arg and arg[1]
if not data_path then error("usage: ember run test_nn_parity.lua DATA.lua") end
table.remove(arg, 1)
local cases = dofile(data_path)

-- rtol 1e-5 is the contract with PyTorch. atol covers results that cancel to
-- about 0: float64 sums of at most ~300 O(1) terms in another order differ by
-- < 1e-12; float32 ones by a few 1e-6 (unit roundoff 6e-8, conv2d sums of up
-- to 27 products, batch-norm gradients built from sums of 18), so atol 2e-5 is
-- loose enough for summation order and far too tight for a wrong formula.
-- Integer results (indices) and the dropout masks must match exactly.
-- A test that runs these checks on its own file may set PEER_TOL first
-- (test_loss_parity.lua: tighter).
local TOL = rawget(_G, "PEER_TOL") or {
  float64 = {rtol = 1e-5, atol = 1e-12},
  float32 = {rtol = 1e-5, atol = 2e-5},
}
local EXACT = {rtol = 0, atol = 0}

local function shape_str(dims) return "(" .. table.concat(dims, ", ") .. ")" end

local function size_of(t)
  local dims = {}
  for i = 1, t:dim() do dims[i] = t:size(i) end
  return dims
end

local function check_tensor(t, exp, what)
  T.ok(torch.is_tensor(t), what .. ": expected a tensor, got " .. type(t))
  T.eq(shape_str(size_of(t)), shape_str(exp.shape), what .. " shape")
  T.eq(tostring(t.dtype), "torch." .. exp.dtype, what .. " dtype")
  local tol = TOL[exp.dtype] or EXACT
  T.close(t, exp.values, {rtol = tol.rtol, atol = tol.atol, msg = what .. " values"})
end

local function make_input(spec)
  return torch.tensor(spec.data, {dtype = torch[spec.dtype], requires_grad = spec.grad})
end

local function run_call(c, xs)
  local env = setmetatable({}, {__index = _G})
  for i, x in ipairs(xs) do env["x" .. i] = x end
  local chunk = assert(load(c.call, "=" .. c.name, "t", env))
  return chunk()
end

local grad_fn_mismatches = {}

local function run_case(c)
  local xs = {}
  for i, spec in ipairs(c.inputs) do xs[i] = make_input(spec) end
  if c.error then
    T.error(function() return run_call(c, xs) end, c.error)
    return
  end
  local outs = table.pack(run_call(c, xs))
  local out = outs[1]
  check_tensor(out, c.out, "out")
  for i, exp in ipairs(c.extra) do check_tensor(outs[i + 1], exp, "output " .. (i + 1)) end
  if c.grad_fn then
    local name = out.grad_fn and out.grad_fn:name()
    if name ~= c.grad_fn then
      grad_fn_mismatches[#grad_fn_mismatches + 1] = string.format("%s: %s, PyTorch %s", c.name, tostring(name),
        c.grad_fn)
    end
  end
  if c.grads then
    T.ok(out.requires_grad, "output should require grad (PyTorch's does)")
    local w = torch.tensor(c.w, {dtype = out.dtype})
    if out:dim() == 0 then w = w:reshape({}) end
    (out * w):sum():backward()
    for i, exp in ipairs(c.grads) do
      if exp then
        T.ok(xs[i].grad ~= nil, "grad of x" .. i .. " is nil")
        check_tensor(xs[i].grad, exp, "grad of x" .. i)
      else
        T.ok(xs[i].grad == nil, "grad of x" .. i .. ": PyTorch has none")
      end
    end
  end
end

for _, c in ipairs(cases) do
  -- kind = "module": test_layersa_parity.lua's own records, checked there
  if c.kind == nil then T.test(c.name, function() run_case(c) end) end
end

T.test("grad_fn names match PyTorch", function()
  if #grad_fn_mismatches > 0 then
    error(#grad_fn_mismatches .. " mismatches:\n" .. table.concat(grad_fn_mismatches, "\n"))
  end
end)

T.run()
