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

--- torch.no_grad(fn, ...) / torch.no_grad()
-- With a function: runs fn(...) without recording gradients and returns its
-- results (the previous mode comes back afterwards, even on an error).
-- Without: a guard; `local _ <close> = torch.no_grad()` turns recording off
-- until the end of the enclosing block (Python's `with torch.no_grad():`).
-- Example:
--   local y = torch.no_grad(function() return model(x) end)
--   print(y.requires_grad)  --> false
function torch.no_grad(fn, ...)
  if fn == nil then return scope(false) end
  return with_grad_mode(false, fn, ...)
end

--- torch.enable_grad(fn, ...) / torch.enable_grad()
-- The same two forms as torch.no_grad, turning gradient recording back on
-- (e.g. inside a no_grad block): fn(...)'s results, or a <close> guard.
-- Example: do local _ <close> = torch.enable_grad(); loss = model(x):sum() end
function torch.enable_grad(fn, ...)
  if fn == nil then return scope(true) end
  return with_grad_mode(true, fn, ...)
end

torch.autograd = {
  --- torch.autograd.backward(tensor[, gradient][, {retain_graph = false}])
  -- The same as tensor:backward(...): accumulates d tensor / d leaf into the
  -- .grad of every leaf with requires_grad. gradient is needed when tensor is
  -- not a scalar. Example: torch.autograd.backward(loss)
  backward = function(t, ...) return t:backward(...) end,
  --- torch.autograd.gradcheck(fn, inputs[, opts]) -> true | false, message
  -- Compares autograd's gradients of fn with central finite differences.
  -- inputs: a tensor or a table of fn's arguments; the float64 ones with
  -- requires_grad = true are checked. opts: {eps = 1e-6, atol = 1e-5,
  -- rtol = 1e-3, raise_exception = true, seed = 1}; a mismatch raises an error
  -- naming the input and element (or returns false, message). Keep shapes small.
  -- Example:
  --   local x = torch.randn(3, {dtype = torch.float64, requires_grad = true})
  --   torch.autograd.gradcheck(function(v) return (v * v):sum() end, x)  --> true
  gradcheck = function(...) return require("torch.gradcheck")(...) end,
}

--- torch.get_default_dtype() -> torch.float32 (or torch.float64)
-- The dtype of new floating-point tensors (torch.zeros, torch.tensor{1.5},
-- torch.arange(0, 1, 0.1), a layer's parameters, ...) and of the float result
-- of integer operands (int64 / int64, x:sqrt() of int64, int64 * 2.5):
-- float32 unless torch.set_default_dtype changed it.
-- Example: print(torch.get_default_dtype())  --> torch.float32
function torch.get_default_dtype() return core._get_default_dtype() end

--- torch.set_default_dtype(dtype)
-- Sets the dtype that torch.get_default_dtype() returns, for the whole
-- process, as PyTorch does: torch.float32 (the start) or torch.float64; any
-- other dtype is an error naming it. Tensors made before keep their dtype.
-- Differs from PyTorch: float16 and bfloat16 are refused too; PyTorch 1.13
-- accepts them without complaint though its documentation does not support them.
-- Example:
--   torch.set_default_dtype(torch.float64)
--   print(torch.tensor({1.5}).dtype, nn.Linear(2, 1).weight.dtype)  --> torch.float64  torch.float64
--   torch.set_default_dtype(torch.float32)
function torch.set_default_dtype(dtype)
  local ok, err = pcall(core._set_default_dtype, dtype)
  if not ok then error((tostring(err):gsub("^bad argument #1 to '[^']*'", "set_default_dtype: bad argument #1")), 2) end
end

--- torch.seed() -> integer
-- Seeds the default generator with a non-deterministic number (from the
-- operating system's /dev/urandom) and returns it, so a run that went well
-- can be repeated with torch.manual_seed(that number). ember starts from a
-- fixed seed, so without this (or manual_seed) every run draws the same.
-- Example:
--   local s = torch.seed()
--   local a = torch.rand(2)
--   torch.manual_seed(s)
--   print(torch.equal(torch.rand(2), a))  --> true
function torch.seed()
  local f = io.open("/dev/urandom", "rb")
  local bytes = f and f:read(7)
  if f then f:close() end
  if not bytes or #bytes ~= 7 then error("torch.seed: could not read /dev/urandom", 2) end
  local s = 0
  for i = 1, 7 do s = s * 256 + bytes:byte(i) end   -- 56 bits: a positive Lua integer
  torch.manual_seed(s)
  return s
end

torch.OrderedDict = require "torch.ordered_dict"

--- torch.dict([items]) -> an ordered table saved as a Python dict
-- A torch.OrderedDict (same methods, keys kept in insertion order) that
-- torch.save writes as a plain Python dict, e.g. a checkpoint or an
-- optimizer state_dict; a torch.OrderedDict is saved as collections.OrderedDict.
-- items: a list of {key, value} pairs (kept in that order), or a table of
-- key = value fields (added in sorted key order: Lua tables have none).
-- Example:
--   torch.save(torch.dict{{"epoch", 3}, {"model", model:state_dict()}}, "ckpt.pt")
--   torch.dict{epoch = 3, lr = 0.1}   --> keys "epoch", "lr"
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

--- torch.tuple{a, b, ...} -> the same table, marked as a Python tuple
-- Marks a Lua list so that torch.save writes a tuple where PyTorch's files
-- hold one (Adam's betas), and prints it as (a, b). Dataset samples ds[i]
-- are tuples too; DataLoader unpacks their fields.
-- Example: print(torch.tuple{0.9, 0.999})  --> (0.9, 0.999)
function torch.tuple(t) return setmetatable(t, tuple_mt) end

--- torch.is_tuple(v) -> boolean
-- True when v was made by torch.tuple (or loaded from a Python tuple).
function torch.is_tuple(v) return getmetatable(v) == tuple_mt end

--- x:cuda([device]) -> the tensor on a CUDA device
-- Same as x:to(device or "cuda"). Without a CUDA device (this build, or no
-- GPU) it raises an error that says why; write device-agnostic code with
-- device = torch.cuda.is_available() and "cuda" or "cpu" and x:to(device).
function torch.Tensor:cuda(device) return self:to(device or "cuda") end

--- torch.equal(a, b) -> boolean
-- True when a and b have the same size and the same values, element by
-- element (dtypes may differ; NaN never equals NaN). Also a:equal(b).
-- Example: torch.equal(torch.ones(2), torch.tensor({1, 1}))  --> true
function torch.equal(a, b)
  if not torch.is_tensor(a) or not torch.is_tensor(b) then error("torch.equal: expected two tensors", 2) end
  if a:size() ~= b:size() then return false end
  if a:numel() == 0 then return true end
  return a:eq(b):all():item()
end
torch.Tensor.equal = torch.equal

local ALLCLOSE = require("torch.options").spec("torch.allclose", "rtol atol equal_nan")
--- torch.allclose(a, b[, rtol=1e-5[, atol=1e-8[, equal_nan=false]]][, opts]) -> boolean
-- True when torch.isclose(a, b, ...) holds everywhere (broadcasting): a == b
-- (so inf matches inf) or |a - b| <= atol + |rtol * b|, computed in the
-- tensors' dtype as PyTorch does; a and b must have the same dtype. NaN
-- matches NaN only with equal_nan = true. opts: {rtol =, atol =,
-- equal_nan =}. Also a:allclose(b).
-- Example: torch.allclose(torch.tensor({1.0}), torch.tensor({1.0 + 1e-7}))  --> true
function torch.allclose(a, b, rtol, atol, equal_nan)
  if not torch.is_tensor(a) or not torch.is_tensor(b) then error("torch.allclose: expected two tensors", 2) end
  if type(rtol) == "table" then
    local o = ALLCLOSE:check(rtol)
    rtol, atol, equal_nan = o.rtol, o.atol, o.equal_nan
  end
  local ok, close = pcall(torch.isclose, a, b, {rtol = rtol, atol = atol, equal_nan = equal_nan})
  if not ok then error((tostring(close):gsub("^isclose", "allclose")), 2) end
  if close:numel() == 0 then return true end
  return close:all():item()
end
torch.Tensor.allclose = torch.allclose

-- torch.save / torch.load also take a whole model (architecture and
-- weights): torch.model_file turns it into plain data and back, rebuilding
-- only from registered module classes. Their help texts are in
-- torch/doc/files.lua with the rest of the file functions.
local core_save, core_load = core.save, core.load
-- The engine's errors raised at the caller of torch.save/load (called
-- through pcall, the C function's error carries no position of this file).
local function rethrow(ok, ...)
  if ok then return ... end
  error((...), 3)
end
function torch.save(value, path, ...)
  local nn_module = package.loaded["torch.nn.module"]
  if nn_module and nn_module.Module.is_module(value) then
    value = require("torch.model_file").encode(value)
  end
  return rethrow(pcall(core_save, value, path, ...))
end
function torch.load(path, ...)
  local v = rethrow(pcall(core_load, path, ...))
  if type(v) == "table" and v.format == "ember.model" and not torch.is_tensor(v) then
    local model_file = require "torch.model_file"
    if model_file.is_model_file(v) then
      require "torch.nn"                 -- the built-in classes register themselves
      return model_file.decode(v, "torch.load: " .. tostring(path))
    end
  end
  return v
end

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

-- x:register_hook, torch.autograd.grad, anomaly detection, explain (small:
-- loaded now, since the tensor methods are read from C)
require("torch.autograd_fns")(torch)

-- torch.nn, torch.optim, torch.utils.data, ... and the functions composed in
-- Lua (torch.einsum, meshgrid, cartesian_prod, outer, repeat_interleave,
-- x:outer, x:repeat_interleave; torch.layer_norm, group_norm, embedding)
-- load on first use (torch.lazy; the modules require this one themselves).
-- A name torch does not have is an error suggesting the closest one
-- (torch.zeroes -> "did you mean torch.zeros?"), as Python's AttributeError.
require("torch.lazy").namespace(torch, {
  id = "torch", name = "torch",
  families = {"torch.shape_ops", "torch.layer_functions"},
  methods = {id = "torch.Tensor", table = torch.Tensor},
  modules = {nn = "torch.nn", optim = "torch.optim", datasets = "torch.datasets", checkpoint = "torch.checkpoint",
             onnx = "torch.onnx", model_file = "torch.model_file", linalg = "torch.linalg",
             utils = function() return {data = require "torch.data", hooks = require "torch.utils.hooks"} end},
})

return torch
