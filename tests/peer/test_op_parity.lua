-- Compares ember's ops with reference results computed by real PyTorch.
-- The data file (arg[1]) comes from tests/peer/make_op_reference.py; each case
-- is one test: output dtype, shape, values (strides for views), the 0-based
-- indices of max/min, then the gradients of sum(out * w). Not a gradcheck: it
-- trusts PyTorch's numbers. Run by tests/peer/peer.sh op:
--   [EMBER_TEST_FILTER=matmul/] ember run tests/peer/test_op_parity.lua DATA.lua

local T = require "ember.test"

local data_path = arg and arg[1]
if not data_path then error("usage: ember run test_op_parity.lua DATA.lua") end
local cases = dofile(data_path)

-- rtol is 1e-5 for every float dtype (the contract with PyTorch); atol only
-- matters for results that cancel to about 0, where rtol alone would demand
-- bit-equality although the two engines may sum in another order.
-- float64: inputs are O(1) (|x| <= 3, |w| <= 1) and no reduction spans more than
--   24 terms of size <= ~10, so order differences stay below 24 * 10 * 2^-53 ~ 3e-14.
-- float32: both sides round to float32 (unit roundoff 6e-8); the same bound gives
--   24 * 10 * 6e-8 ~ 1.4e-5 in the worst case and a few 1e-7 in practice, so
--   atol 1e-5 is ~100 float32 ulps of 1: loose enough for summation order, far
--   too tight to hide a wrong formula (every value here is O(0.1) or larger).
-- Integer and bool results must match exactly.
local TOL = {
  float64 = {rtol = 1e-5, atol = 1e-12},
  float32 = {rtol = 1e-5, atol = 1e-5},
}
local EXACT = {rtol = 0, atol = 0}

local function tol(dtype, what)
  local t = TOL[dtype] or EXACT
  return {rtol = t.rtol, atol = t.atol, msg = what}
end

local function shape_str(dims) return "(" .. table.concat(dims, ", ") .. ")" end

local function size_of(t)
  local dims = {}
  for i = 1, t:dim() do dims[i] = t:size(i) end
  return dims
end

-- Checks one tensor against a record {dtype, shape, values[, stride, offset]}.
local function check_tensor(t, exp, what)
  T.ok(torch.is_tensor(t), what .. ": expected a tensor, got " .. type(t))
  T.eq(shape_str(size_of(t)), shape_str(exp.shape), what .. " shape")
  T.eq(tostring(t.dtype), "torch." .. exp.dtype, what .. " dtype")
  T.close(t, exp.values, tol(exp.dtype, what .. " values"))
  if exp.stride then
    -- The stride of a size-1 dim is never used to address memory; PyTorch's
    -- value there is an implementation detail, so only other dims are compared.
    for i, s in ipairs(exp.stride) do
      if exp.shape[i] ~= 1 then T.eq(t:stride(i), s, what .. " stride(" .. i .. ")") end
    end
    T.eq(t:storage_offset(), exp.offset, what .. " storage_offset")
  end
end

local function make_input(spec)
  return torch.tensor(spec.data, {dtype = torch[spec.dtype], requires_grad = spec.grad})
end

-- Runs a case's Lua call with x1, x2, ... bound to its inputs.
local function run_call(c, xs)
  local env = setmetatable({}, {__index = _G})
  for i, x in ipairs(xs) do env["x" .. i] = x end
  local chunk = assert(load(c.call, "=" .. c.name, "t", env))
  return chunk()
end

local grad_fn_mismatches = {}

local function note_grad_fn(c, out)
  if not c.grad_fn then return end
  local ok, name = pcall(function() return out.grad_fn and out.grad_fn:name() end)
  if not ok or name ~= c.grad_fn then
    grad_fn_mismatches[#grad_fn_mismatches + 1] = string.format("%s: %s, PyTorch %s",
      c.name, ok and tostring(name) or ("error " .. tostring(name)), c.grad_fn)
  end
end

local function check_grads(c, xs, out)
  T.ok(out.requires_grad, "output should require grad (PyTorch's does)")
  local w = torch.tensor(c.w, {dtype = out.dtype})
  local loss = (out * w):sum()
  loss:backward()
  for i, exp in ipairs(c.grads) do
    local what = "grad of x" .. i
    if exp == false then
      T.ok(xs[i].grad == nil, what .. ": input does not require grad, yet has one")
    elseif exp.none then
      T.ok(xs[i].grad == nil, what .. ": PyTorch leaves it nil (input not used)")
    else
      T.ok(xs[i].grad ~= nil, what .. " is nil")
      check_tensor(xs[i].grad, exp, what)
    end
  end
end

local function run_case(c)
  local xs = {}
  for i, spec in ipairs(c.inputs) do xs[i] = make_input(spec) end
  if c.error then
    T.error(function() return run_call(c, xs) end, c.error)
    return
  end
  local out, out2 = run_call(c, xs)
  check_tensor(out, c.out, "out")
  if c.out2 then check_tensor(out2, c.out2, "indices") end
  note_grad_fn(c, out)
  if c.grads then check_grads(c, xs, out) end
end

for _, c in ipairs(cases) do
  T.test(c.name, function() run_case(c) end)
end

-- Every op of the op table (src/core/op_table.h) that learners can call has
-- at least one case here, under its name or an alias (not checked when
-- another peer pair runs this file on its own cases: test_mathr_parity.lua).
local subset = rawget(_G, "EMBER_OP_PARITY_SUBSET")
if not subset then T.test("every op table row has a PyTorch case", function()
  local covered, missing = {}, {}
  for _, c in ipairs(cases) do covered[c.op] = true end
  for _, row in ipairs(require("torch.core")._ops) do
    if row.fn then
      local ok = covered[row.name]
      for _, a in ipairs(row.aliases) do ok = ok or covered[a] end
      if not ok then missing[#missing + 1] = row.name end
    end
  end
  T.ok(#missing == 0, "no case in tests/peer/make_op_reference.py for: " .. table.concat(missing, ", "))
end) end

-- Runs after every case (tests run in order); names only what the cases saw.
T.test("grad_fn names match PyTorch", function()
  if #grad_fn_mismatches > 0 then
    error(#grad_fn_mismatches .. " mismatches:\n" .. table.concat(grad_fn_mismatches, "\n"))
  end
end)

T.run()
