-- torch — the public module: the C engine (torch.core) plus the parts that
-- read best in Lua: grad-mode scopes (no_grad as a function and as a
-- <close> guard) and the autograd namespace. nn, optim and data are their own
-- modules (later issues).
local core = require "torch.core"

local torch = {}
for k, v in pairs(core) do
  if k:sub(1, 1) ~= "_" then torch[k] = v end
end

torch.__version__ = "0.1.0"

local function scope(enabled)
  local previous = core.set_grad_enabled(enabled)
  return setmetatable({}, {__close = function() core.set_grad_enabled(previous) end})
end

-- Runs fn(...) with gradient recording `enabled`, restoring the previous
-- mode afterwards even if fn raises. Returns fn's results.
local function with_grad_mode(enabled, fn, ...)
  local guard <close> = scope(enabled)
  return fn(...)
end

--- torch.no_grad(fn, ...) -> fn's results, computed without recording gradients.
--- torch.no_grad() -> a guard: `local _ <close> = torch.no_grad()` turns
--- gradient recording off until the end of the enclosing block.
function torch.no_grad(fn, ...)
  if fn == nil then return scope(false) end
  return with_grad_mode(false, fn, ...)
end

--- torch.enable_grad: the same two forms, turning recording back on.
function torch.enable_grad(fn, ...)
  if fn == nil then return scope(true) end
  return with_grad_mode(true, fn, ...)
end

torch.autograd = {
  --- torch.autograd.backward(tensor[, gradient][, {retain_graph=}])
  backward = function(t, ...) return t:backward(...) end,
  --- torch.autograd.gradcheck(fn, inputs[, opts]): finite differences vs backward.
  gradcheck = function(...) return require("torch.gradcheck")(...) end,
}

function torch.get_default_dtype() return core.float32 end

torch.OrderedDict = require "torch.ordered_dict"

--- torch.dict([items]): an insertion-ordered table saved as a plain Python
--- dict (Python dicts keep insertion order too), e.g. a checkpoint or an
--- optimizer state_dict; torch.OrderedDict is saved as collections.OrderedDict.
function torch.dict(items)
  local d = torch.OrderedDict(items)
  d._pytype = "dict"
  return d
end

local tuple_mt = {__name = "tuple", __tostring = function(t)
  local parts = {}
  for i, v in ipairs(t) do parts[i] = tostring(v) end
  return "(" .. table.concat(parts, ", ") .. (#t == 1 and ",)" or ")")
end}

--- torch.tuple{a, b}: a list marked as a Python tuple (Adam's betas), so that
--- files written by ember hold a tuple where PyTorch's do.
function torch.tuple(t) return setmetatable(t, tuple_mt) end
function torch.is_tuple(v) return getmetatable(v) == tuple_mt end

-- tostring(tensor) uses PyTorch's print format when the pretty printer is there.
local ok, pretty = pcall(require, "ember.pretty")
if ok and type(pretty) == "table" and pretty.tensor then
  core._set_tostring(function(t)
    local nn_module = package.loaded["torch.nn.module"]
    local s = pretty.tensor(t)
    if nn_module and nn_module.Parameter.is(t) then return "Parameter containing:\n" .. s end
    return s
  end)
  torch.set_printoptions = pretty.set_printoptions
end

-- torch.nn, torch.optim and torch.utils.data load on first use (they require
-- this module themselves).
local lazy = {nn = "torch.nn", optim = "torch.optim", datasets = "torch.datasets", checkpoint = "torch.checkpoint"}
setmetatable(torch, {__index = function(t, k)
  local name = lazy[k]
  if name then
    local m = require(name)
    rawset(t, k, m)
    return m
  end
  if k == "utils" then
    local utils = {data = require "torch.data"}
    rawset(t, k, utils)
    return utils
  end
end})

return torch
