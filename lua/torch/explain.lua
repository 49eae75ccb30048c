-- torch.explain — torch.autograd.explain: the real backward, one node at a
-- time. The engine calls back before and after each node
-- (core._backward_observed, src/autograd/engine.h's observer), in its own
-- order; this file only shows what it is given: the node's name, its
-- formula (lua/torch/autograd_formulas.lua, generated from the comments in
-- src/autograd/grad_*.c), the gradient in, the gradients out, and the .grad
-- of the leaves it reached. Not here: any arithmetic of its own.
local core = require "torch.core"
local options = require "torch.options"
local sys_ok, sys = pcall(require, "ember.sys")

local M = {}

local EXPLAIN = options.spec("torch.autograd.explain", "gradient retain_graph interactive values out params")

local function fmt_num(v)
  if type(v) ~= "number" then return tostring(v) end
  if v ~= v then return "nan" end
  if v == math.huge then return "inf" elseif v == -math.huge then return "-inf" end
  return string.format("%.4g", v)
end

-- "shape [3, 2]  values [0.1, 0.2, 0.3, ...]  norm 1.23"
local function describe(t, n)
  if not t then return "none" end
  local shape = {}
  for i = 1, t:dim() do shape[i] = tostring(t:size(i)) end
  local flat = t:detach():reshape(-1)
  local count = flat:numel()
  local vals = {}
  for i = 1, math.min(n, count) do vals[i] = fmt_num(flat[i]:item()) end
  if count > n then vals[#vals + 1] = "..." end
  local norm = count > 0 and flat:double():norm():item() or 0
  return string.format("shape [%s]  values [%s]  norm %s", table.concat(shape, ", "), table.concat(vals, ", "),
                       fmt_num(norm))
end

local function is_tty()
  return sys_ok and sys.isatty("stdin") and sys.isatty("stdout")
end

local function read_key(prompt)
  local ok, rl = pcall(require, "ember.readline")
  if ok then
    local line = rl.readline(prompt)
    if line == false then return "q" end
    return line
  end
  io.write(prompt)
  io.stdout:flush()
  return io.read("l")
end

--- explain(y, opts) -> steps (see torch.autograd.explain)
function M.explain(y, opts)
  opts = EXPLAIN:check(opts)
  if not core.is_tensor(y) then error("torch.autograd.explain: expected a tensor, got " .. type(y), 2) end
  if not y.requires_grad then
    error("torch.autograd.explain: element 0 of tensors does not require grad and does not have a grad_fn", 2)
  end
  local formulas = require "torch.autograd_formulas"
  local nvals = opts.values or 4
  local out = opts.out
  if out == nil then out = io.stdout end
  local interactive = opts.interactive
  if interactive == nil then interactive = out == io.stdout and is_tty() end
  local names = {}
  if opts.params then
    for k, v in pairs(opts.params) do   -- model:named_parameters()'s {name, tensor} pairs, or {name = tensor}
      local name, p = k, v
      if type(v) == "table" and not core.is_tensor(v) then name, p = v[1], v[2] end
      if type(name) == "string" and core.is_tensor(p) then names[core._tensor_id(p)] = name end
    end
  end
  local function say(s)
    if out then out:write(s, "\n") end
  end
  local steps, showing = {}, out ~= false
  if not y.grad_fn then
    say("explain: y is a leaf; backward adds the gradient (ones) to its .grad directly")
  end
  local current
  core._backward_observed(y, opts.gradient, opts.retain_graph or false, function(event, fn, grad, grads)
    if event == "before" then
      local name = fn:name()
      local f = formulas[name]
      current = {name = name, formula = f and f.formula, source = f and f.source, grad = grad or nil,
                 trace = core._node_trace(fn)}
      steps[#steps + 1] = current
      if not showing then return end
      say(string.format("step %d  %s", #steps, name))
      say("  formula  " .. (f and (f.formula .. "   [" .. f.source:match("([^/]+%.c)") .. "]")
          or "(no formula comment for this node in src/autograd)"))
      say("  grad in  " .. describe(grad or nil, nvals))
      return
    end
    -- after: what went to each input, and the leaves' .grad
    current.grads, current.inputs = {}, {}
    local next_fns = fn.next_functions
    for i, edge in ipairs(next_fns) do
      local target = edge[1]
      local g = grads[i] or nil
      current.grads[i] = g
      local label
      if not target then
        label = "(needs no gradient)"
      elseif target:name() == "AccumulateGrad" then
        local v = target.variable
        local leaf_name = names[core._tensor_id(v)]
        label = "leaf " .. (leaf_name and (leaf_name .. " ") or "") .. "(AccumulateGrad)"
        current.inputs[i] = {leaf = v}
      else
        label = target:name()
        current.inputs[i] = {node = label}
      end
      if showing then
        say(string.format("  input %d -> %s: %s", i, label, target and describe(g, nvals) or "nothing sent"))
        if target and target:name() == "AccumulateGrad" and g then
          say("           .grad now " .. describe(target.variable.grad, nvals))
        end
      end
    end
    if showing and interactive then
      local line = read_key("[Enter] next node  q stop showing > ")
      if line == nil or line:match("^%s*q") then
        showing = false
        say("(the rest of the backward runs without showing; .grad ends as backward() leaves it)")
      end
    elseif showing then
      say("")
    end
  end)
  return steps
end

return M
