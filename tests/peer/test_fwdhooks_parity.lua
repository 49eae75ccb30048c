-- Module forward hooks and forward pre-hooks against PyTorch 1.13
-- (tests/peer/make_fwdhooks_reference.py): the same cases, built here by
-- name, must log the same hook calls in the same order (hook, module, the
-- shapes of the arguments and output each saw, their sums within 1e-4) and
-- return the same output.
local T = require "ember.test"
local cases = dofile(assert(arg[1], "usage: test_fwdhooks_parity.lua REFERENCE.lua"))

local function fill(model)
  torch.no_grad(function()
    for k, np in ipairs(model:named_parameters()) do
      local p = np[2]
      local v = {}
      for i = 1, p:numel() do v[i] = math.sin(0.7 * (i - 1) + (k - 1)) end
      p:copy_(torch.tensor(v):reshape(p:size()))
    end
  end)
  return model
end

local function inp(shape, k)
  local n = 1
  for _, s in ipairs(shape) do n = n * s end
  local v = {}
  for i = 1, n do v[i] = math.cos(0.3 * (i - 1) + (k or 0)) end
  return torch.tensor(v):reshape(shape)
end

-- what a hook saw: {shape =, sum =} for a tensor, a list for a list
local function desc(v)
  if torch.is_tensor(v) then
    local shape = {}
    for d = 1, v:dim() do shape[d] = v:size(d) end
    return {shape = shape, sum = v:detach():sum():item()}
  end
  local out = {}
  for i = 1, v.n or #v do out[i] = desc(v[i]) end
  return out
end

local Mul = nn.Module:extend("FwdHooksMul")
function Mul:forward(a, b) return a * b end
local Split = nn.Module:extend("FwdHooksSplit")
function Split:forward(x) return x:narrow(2, 1, 1), x:narrow(2, 2, x:size(2) - 1) end

local function nested()
  return fill(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Sequential(nn.Linear(4, 2), nn.Tanh())))
end

local function logger(log, name, kind, tag)
  tag = tag or ""
  if kind == "pre" then
    return function(_, args) log[#log + 1] = {hook = kind .. tag, module = name, args = desc(args)} end
  end
  return function(_, args, out)
    log[#log + 1] = {hook = kind .. tag, module = name, args = desc(args), out = desc(out)}
  end
end

local build = {}
function build.nested_order(log)
  local m = nested()
  for _, nm in ipairs(m:named_modules()) do
    nm[2]:register_forward_pre_hook(logger(log, nm[1], "pre"))
    nm[2]:register_forward_hook(logger(log, nm[1], "fwd"))
  end
  return m(inp({2, 3}))
end
function build.replace_chain(log)
  local m = fill(nn.Linear(3, 2))
  m:register_forward_pre_hook(logger(log, "", "pre", "1"))
  m:register_forward_pre_hook(function(_, args) return args[1] * 2 end)
  m:register_forward_pre_hook(logger(log, "", "pre", "2"))
  m:register_forward_pre_hook(function() return nil end)
  m:register_forward_hook(logger(log, "", "fwd", "1"))
  m:register_forward_hook(function(_, _, out) return out + 1 end)
  m:register_forward_hook(logger(log, "", "fwd", "2"))
  m:register_forward_hook(function() return nil end)
  return m(inp({2, 3}))
end
function build.tuple_args(log)
  local m = Mul()
  m:register_forward_pre_hook(function(_, args) return {args[2], args[1] + 1} end)
  m:register_forward_pre_hook(logger(log, "", "pre"))
  m:register_forward_hook(logger(log, "", "fwd"))
  return m(inp({2, 2}), inp({2, 2}, 1))
end
function build.remove(log)
  local m = fill(nn.Linear(3, 2))
  local h1 = m:register_forward_hook(logger(log, "", "fwd", "1"))
  local h2 = m:register_forward_hook(logger(log, "", "fwd", "2"))
  local h3 = m:register_forward_hook(logger(log, "", "fwd", "3"))
  local p1 = m:register_forward_pre_hook(logger(log, "", "pre", "1"))
  T.ok(h1.id < h2.id and h2.id < h3.id, "handle ids grow")
  h2:remove(); h2:remove(); p1:remove()
  m(inp({1, 3}))
  h1:remove(); h3:remove()
  T.eq(rawget(m, "_forward_hooks"), nil, "no hook list left once every hook is removed")
  T.eq(rawget(m, "_forward_pre_hooks"), nil, "no pre-hook list left")
  return m(inp({1, 3}))
end
function build.remove_during_call(log)
  local m = fill(nn.Linear(3, 2))
  local victim
  m:register_forward_hook(function(_, args, out)
    log[#log + 1] = {hook = "remover", module = "", args = desc(args), out = desc(out)}
    victim:remove()
  end)
  victim = m:register_forward_hook(logger(log, "", "fwd", "victim"))
  m(inp({1, 3}))
  return m(inp({1, 3}))
end
function build.inner_replace(log)
  local m = nested()
  m[1]:register_forward_hook(function(_, _, out) return out * 0.5 end)
  m[3][1]:register_forward_pre_hook(function(_, args) return args[1] - 1 end)
  m[3]:register_forward_hook(logger(log, "2", "fwd"))
  m:register_forward_hook(logger(log, "", "fwd"))
  return m(inp({3, 3}))
end
function build.tuple_output(log)
  local m = Split()
  m:register_forward_hook(logger(log, "", "fwd"))
  m:register_forward_hook(function(_, _, out) return {out[2], out[1] * 3} end)
  return table.pack(m(inp({2, 3})))
end

local function same(path, got, want)
  if type(want) ~= "table" then
    T.eq(got, want, path)
  elseif want.sum ~= nil then
    T.ok(type(got) == "table" and got.sum ~= nil, path .. ": a tensor expected")
    T.eq(table.concat(got.shape, "x"), table.concat(want.shape, "x"), path .. " shape")
    T.ok(math.abs(got.sum - want.sum) <= 1e-4 * (1 + math.abs(want.sum)),
         string.format("%s sum: %.6g, PyTorch %.6g", path, got.sum, want.sum))
  else
    T.ok(type(got) == "table", path .. ": a table expected")
    T.eq(#got, #want, path .. " length")
    for i = 1, #want do same(path .. "[" .. i .. "]", got[i], want[i]) end
  end
end

for _, c in ipairs(cases) do
  T.test(c.name, function()
    local fn = assert(build[c.name], "no Lua build for case " .. c.name)
    local log = {}
    local out = fn(log)
    T.eq(#log, #c.log, "number of hook calls")
    for i = 1, math.min(#log, #c.log) do
      local g, w = log[i], c.log[i]
      local where = string.format("call %d (%s on '%s')", i, w.hook, w.module)
      T.eq(g.hook, w.hook, where .. " hook")
      T.eq(g.module, w.module, where .. " module")
      same(where .. " args", g.args, w.args)
      if w.out ~= nil then same(where .. " output", g.out, w.out) end
    end
    same("output", desc(out), c.out)
  end)
end
T.run()
