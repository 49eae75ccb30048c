-- torch.gradcheck — gradcheck(fn, inputs, opts) checks an op's analytical
-- gradients against central finite differences in float64, as
-- torch.autograd.gradcheck does.
-- It is a test tool, not a fast one: every input element costs two forward
-- calls, so keep the shapes small. It does not check second derivatives.

local options = require "torch.options"
local function is_float(t)
  return t:is_floating_point()
end

-- plain Lua table of a tensor's sizes (so it can be passed to reshape/zeros)
local function shape_of(t)
  local s = {}
  for d = 1, t:dim() do s[d] = t:size(d) end
  return s
end

-- flat Lua list of a tensor's values, in row-major order
local function flat_values(t)
  if t:numel() == 0 then return {} end
  return t:detach():double():reshape(-1):tolist()
end

-- a new float64 tensor of `shape` holding the flat list `values`
local function from_flat(values, shape)
  if #shape == 0 then return torch.tensor(values[1] + 0.0, {dtype = torch.float64}) end
  if #values == 0 then return torch.zeros(shape, {dtype = torch.float64}) end
  return torch.tensor(values, {dtype = torch.float64}):reshape(shape)
end

-- the float tensors among fn's results (its differentiable outputs)
local function float_outputs(...)
  local outs = {}
  for i = 1, select("#", ...) do
    local v = select(i, ...)
    if torch.is_tensor(v) and is_float(v) then outs[#outs + 1] = v end
  end
  return outs
end

-- a small deterministic generator in [-1, 1], so gradcheck leaves torch's RNG alone
local function directions(seed)
  local state = seed
  return function()
    state = (state * 1103515245 + 12345) % 2147483648
    return state / 1073741824 - 1
  end
end

-- Numerical Jacobian blocks: J[o][k][j] = d out_o[k] / d x_i[j], for one input i.
local function numerical_block(fn, inputs, i, eps)
  local x = inputs[i]
  local base, shape = flat_values(x), shape_of(x)
  local args = {}
  for a = 1, #inputs do args[a] = inputs[a] end
  local function eval_at(j, value)
    local vals = {}
    for k = 1, #base do vals[k] = base[k] end
    vals[j] = value
    args[i] = from_flat(vals, shape)
    local outs = float_outputs(torch.no_grad(fn, table.unpack(args, 1, #inputs)))
    local flat = {}
    for o = 1, #outs do flat[o] = flat_values(outs[o]) end
    return flat
  end
  local J = nil
  for j = 1, #base do
    local plus, minus = eval_at(j, base[j] + eps), eval_at(j, base[j] - eps)
    J = J or {}
    for o = 1, #plus do
      J[o] = J[o] or {}
      for k = 1, #plus[o] do
        J[o][k] = J[o][k] or {}
        J[o][k][j] = (plus[o][k] - minus[o][k]) / (2 * eps)
      end
    end
  end
  return J or {}
end

-- Runs fn on inputs with grad on, backpropagates sum_o <out_o, w_o> where
-- weights(o, n) gives the flat list w_o, and returns per input the flat gradient.
local function analytical_vjp(fn, inputs, checked, weights)
  for _, i in ipairs(checked) do inputs[i].grad = nil end
  local outs = float_outputs(torch.enable_grad(fn, table.unpack(inputs, 1, #inputs)))
  local total = nil
  for o, out in ipairs(outs) do
    if out.requires_grad and out:numel() > 0 then
      local w = from_flat(weights(o, out:numel()), shape_of(out)):to(out.dtype)
      local term = (out * w):sum()
      total = total and (total + term) or term
    end
  end
  if total then total:backward() end
  local grads = {}
  for _, i in ipairs(checked) do
    local x, g = inputs[i], inputs[i].grad
    if g == nil then
      local zeros = {}
      for k = 1, x:numel() do zeros[k] = 0.0 end
      grads[i] = zeros
    else
      local gs, xs = table.concat(shape_of(g), "x"), table.concat(shape_of(x), "x")
      if gs ~= xs then
        error(string.format("gradcheck: grad of input %d has shape (%s) but the input is (%s)", i, gs, xs), 0)
      end
      if g.dtype ~= x.dtype then
        error(string.format("gradcheck: grad of input %d is %s but the input is %s",
          i, tostring(g.dtype), tostring(x.dtype)), 0)
      end
      grads[i] = flat_values(g)
    end
  end
  return grads, #outs
end

local function mismatch(a, n, atol, rtol)
  return not (math.abs(a - n) <= atol + rtol * math.abs(n)) -- also catches NaN
end

--[[
gradcheck(fn, inputs[, opts]) -> true | false, message

Checks the gradients autograd computes for fn against central finite
differences  (f(x + eps) - f(x - eps)) / (2 eps), element by element.

ARGS
  fn      function(...) -> tensor or several tensors; its float results are the
          outputs (int results such as max's indices are ignored)
  inputs  a tensor or a table of values passed to fn in order; the tensors with
          requires_grad = true are checked and must be float64
  opts    {eps = 1e-6, atol = 1e-5, rtol = 1e-3,
           full = nil (true: always build the full Jacobian; false: never),
           full_limit = 4096 (full Jacobian when outputs x inputs <= this),
           raise_exception = true, seed = 1}
RETURNS
  true when every entry agrees within atol + rtol * |numerical|.
ERRORS
  raises "gradcheck: ..." naming the input index, the element (1-based, flat,
  row-major), the output, and both values; with raise_exception = false it
  returns false and that message instead. Also raises when no input requires
  grad, when a checked input is not float64, or when a grad has the wrong shape.
The inputs' .grad fields are restored when it returns.
]]
local GRADCHECK = options.spec("torch.autograd.gradcheck", "eps atol rtol seed full full_limit raise_exception",
  "check_sparse_nnz nondet_tol check_undefined_grad check_grad_dtypes check_batched_grad check_batched_forward_grad "
  .. "check_forward_ad check_backward_ad fast_mode")
local function gradcheck(fn, inputs, opts)
  opts = GRADCHECK:check(opts)
  local eps, atol, rtol = opts.eps or 1e-6, opts.atol or 1e-5, opts.rtol or 1e-3
  if torch.is_tensor(inputs) then inputs = {inputs} end
  if type(fn) ~= "function" then error("gradcheck: fn must be a function, got " .. type(fn), 2) end
  if type(inputs) ~= "table" then error("gradcheck: inputs must be a tensor or a table, got " .. type(inputs), 2) end

  local n_inputs = inputs.n or #inputs
  local checked, saved = {}, {}
  for i = 1, n_inputs do
    local x = inputs[i]
    if torch.is_tensor(x) and x.requires_grad then
      if x.dtype ~= torch.float64 then
        error(string.format("gradcheck: input %d is %s; gradcheck needs float64 inputs (use :double())",
          i, tostring(x.dtype)), 2)
      end
      checked[#checked + 1] = i
      saved[i] = x.grad
    end
  end
  if #checked == 0 then error("gradcheck: no input requires grad", 2) end
  local args = {}
  for i = 1, n_inputs do args[i] = inputs[i] end

  local function restore()
    for _, i in ipairs(checked) do args[i].grad = saved[i] end
  end

  local ok, err = pcall(function()
    -- numerical Jacobians, per checked input
    local J = {}
    local n_out_elems, n_in_elems = 0, 0
    for _, i in ipairs(checked) do
      J[i] = numerical_block(fn, args, i, eps)
      n_in_elems = n_in_elems + args[i]:numel()
    end
    local outs = float_outputs(torch.no_grad(fn, table.unpack(args, 1, n_inputs)))
    if #outs == 0 then error("gradcheck: fn returned no float tensor", 0) end
    local out_sizes = {}
    for o, out in ipairs(outs) do
      out_sizes[o] = out:numel()
      n_out_elems = n_out_elems + out:numel()
    end

    -- 1. a random direction v: compare J^T v (numerical) with one backward of <out, v>
    local rand = directions(opts.seed or 1)
    local v = {}
    for o = 1, #outs do
      v[o] = {}
      for k = 1, out_sizes[o] do v[o][k] = rand() end
    end
    local grads = analytical_vjp(fn, args, checked, function(o) return v[o] end)
    for _, i in ipairs(checked) do
      for j = 1, args[i]:numel() do
        local num = 0.0
        for o = 1, #outs do
          for k = 1, out_sizes[o] do num = num + v[o][k] * J[i][o][k][j] end
        end
        if mismatch(grads[i][j], num, atol, rtol) then
          error(string.format("gradcheck: gradient along a random direction differs for input %d, "
            .. "element %d: numerical %.10g, analytical %.10g", i, j, num, grads[i][j]), 0)
        end
      end
    end

    -- 2. the full Jacobian, one backward per output element, when small enough
    local full = opts.full
    if full == nil then full = n_out_elems * n_in_elems <= (opts.full_limit or 4096) end
    if full then
      for o = 1, #outs do
        for k = 1, out_sizes[o] do
          local row = analytical_vjp(fn, args, checked, function(oo, n)
            local w = {}
            for q = 1, n do w[q] = (oo == o and q == k) and 1.0 or 0.0 end
            return w
          end)
          for _, i in ipairs(checked) do
            for j = 1, args[i]:numel() do
              local num, ana = J[i][o][k][j], row[i][j]
              if mismatch(ana, num, atol, rtol) then
                error(string.format("gradcheck: Jacobian mismatch for output %d element %d with respect to "
                  .. "input %d, element %d: numerical %.10g, analytical %.10g", o, k, i, j, num, ana), 0)
              end
            end
          end
        end
      end
    end
  end)
  restore()
  if ok then return true end
  if opts.raise_exception == false then return false, tostring(err) end
  error(err, 2)
end

return gradcheck
