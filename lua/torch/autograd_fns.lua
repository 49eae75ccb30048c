-- torch.autograd_fns — the parts of torch.autograd written in Lua on the
-- engine's call-outs (src/bind/lua_autograd.c, src/autograd/engine.h):
-- x:register_hook, torch.autograd.grad, anomaly detection
-- (set_detect_anomaly, detect_anomaly, is_anomaly_enabled) and
-- torch.autograd.explain (lua/torch/explain.lua, loaded on first use).
-- Not here: backward() itself (C) and module hooks (torch.nn).
local core = require "torch.core"
local options = require "torch.options"
local new_handle = require("torch.utils.hooks").handle   -- RemovableHandle

return function(torch)
  local autograd = torch.autograd

  --- x:register_hook(hook) -> handle
  -- Calls hook(grad) each time the gradient of x is computed during a
  -- backward: for a leaf, once per backward with the sum of what reached
  -- it, before it is added to x.grad; for a computed tensor, when its
  -- gradient is complete, before it flows on. A hook that returns a tensor
  -- replaces the gradient (same shape and dtype, else an error); nil keeps
  -- it. Hooks run in the order they were registered. x:retain_grad() keeps
  -- the gradient after all of x's hooks when one was registered before
  -- retain_grad, else before all of them (PyTorch 1.13 runs a tensor's hooks
  -- as one list, at the place of the first).
  -- An error in a hook stops the backward and is raised as it was. x must
  -- require grad. handle:remove() unregisters it.
  -- Example:
  --   local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  --   local h = x:register_hook(function(g) return g * 10 end)
  --   (x * 3):sum():backward()
  --   x.grad                                  --> tensor([30., 30.])
  --   h:remove()
  function torch.Tensor.register_hook(self, hook)
    if type(hook) ~= "function" and not (getmetatable(hook) or {}).__call then
      error("register_hook: expected a function, got " .. type(hook), 2)
    end
    local fn = hook
    if type(hook) ~= "function" then fn = function(g) return hook(g) end end
    local key, id = core._register_hook(self, fn)
    return new_handle(function() core._remove_hook(key, id) end)
  end

  local GRAD = options.spec("torch.autograd.grad", "grad_outputs retain_graph create_graph allow_unused only_inputs",
                            "is_grads_batched")

  local function as_list(v)
    if v == nil then return nil end
    if torch.is_tensor(v) then return {v} end
    return v
  end

  --- torch.autograd.grad(outputs, inputs[, grad_outputs][, opts]) -> tuple of gradients
  -- The gradients of outputs (a tensor or a list) with respect to inputs (a
  -- tensor or a list), returned instead of added to .grad (no .grad
  -- changes). grad_outputs: the gradient of each output (needed for
  -- non-scalar outputs; a tensor or a list), also opts.grad_outputs.
  -- opts: {retain_graph = create_graph, create_graph = false,
  -- allow_unused = false}. An input the outputs do not depend on is an
  -- error, or nil in the result with allow_unused = true (PyTorch 1.13).
  -- As in PyTorch 1.13, only the part of the graph that leads to the inputs
  -- runs (with its tensor hooks); leaves' hooks do not fire.
  -- Differs from PyTorch: create_graph = true (double backward) is not
  -- supported (ember's formulas do not record a graph): an error;
  -- is_grads_batched too. The result is a torch.tuple (1-based).
  -- Example:
  --   local x = torch.tensor({1.0, 2.0, 3.0}, {requires_grad = true})
  --   local g = torch.autograd.grad((x * x):sum(), x)
  --   g[1]                                    --> tensor([2., 4., 6.])
  --   x.grad                                  --> nil
  function autograd.grad(outputs, inputs, grad_outputs, opts)
    if opts == nil and type(grad_outputs) == "table" and not torch.is_tensor(grad_outputs) and grad_outputs[1] == nil then
      opts, grad_outputs = grad_outputs, nil
    end
    opts = GRAD:check(opts)
    if opts.grad_outputs ~= nil then
      if grad_outputs ~= nil then error("torch.autograd.grad: grad_outputs given twice (argument and option)", 2) end
      grad_outputs = opts.grad_outputs
    end
    if opts.create_graph then
      error("torch.autograd.grad: create_graph=true (double backward) is not supported: ember's backward formulas "
            .. "do not record a graph of their own", 2)
    end
    if opts.only_inputs == false then
      error("torch.autograd.grad: only_inputs=false is not supported (it is deprecated in PyTorch and ignored there)", 2)
    end
    local retain = opts.retain_graph
    if retain == nil then retain = opts.create_graph or false end
    local ins = as_list(inputs)
    local got = core._grad(as_list(outputs), as_list(grad_outputs), ins, retain)
    local result = {n = #ins}
    for i = 1, #ins do
      if got[i] then
        result[i] = got[i]
      elseif not opts.allow_unused then
        error("torch.autograd.grad: One of the differentiated Tensors appears to not have been used in the graph. "
              .. "Set allow_unused=True if this is the desired behavior. (inputs[" .. i .. "])", 2)
      end
    end
    return torch.tuple(result)
  end

  --- torch.autograd.set_detect_anomaly(mode[, check_nan=true])
  -- Anomaly detection on (true) or off (false). While on, every node of the
  -- graph records the Lua file and line of the forward call that created it
  -- (it costs time: use it to find a problem, not for training), and a
  -- backward whose formula returns NaN fails with PyTorch's message and
  -- that location:
  --   Function 'LogBackward0' returned nan values in its 0th output.
  --   The forward call that created it (anomaly detection): train.lua:12
  -- As in PyTorch 1.13, only NaN is checked (an inf gradient, d log x at 0,
  -- is not an error). check_nan = false records locations without the check.
  -- Example:
  --   torch.autograd.set_detect_anomaly(true)
  --   torch.autograd.is_anomaly_enabled()     --> true
  --   torch.autograd.set_detect_anomaly(false)
  function autograd.set_detect_anomaly(mode, check_nan)
    if type(mode) ~= "boolean" then error("set_detect_anomaly: mode must be true or false", 2) end
    if check_nan ~= nil and type(check_nan) ~= "boolean" then
      error("set_detect_anomaly: check_nan must be true or false", 2)
    end
    core._set_detect_anomaly(mode, check_nan ~= false)
  end

  --- torch.autograd.is_anomaly_enabled() -> boolean
  -- Whether anomaly detection is on (torch.autograd.set_detect_anomaly).
  -- Example:
  --   torch.autograd.is_anomaly_enabled()     --> false
  function autograd.is_anomaly_enabled()
    return (core._is_anomaly_enabled())
  end

  local function anomaly_scope(check_nan)
    local was, was_nan = core._is_anomaly_enabled()
    core._set_detect_anomaly(true, check_nan ~= false)
    return setmetatable({}, {__close = function() core._set_detect_anomaly(was, was_nan) end})
  end

  --- torch.autograd.detect_anomaly(fn, ...) / torch.autograd.detect_anomaly()
  -- PyTorch's context manager `with torch.autograd.detect_anomaly():` in
  -- ember's two forms: with a function, runs fn(...) with anomaly detection
  -- on and returns its results (the previous setting comes back afterwards,
  -- even on an error); without, a guard for `local _ <close> =
  -- torch.autograd.detect_anomaly()` until the end of the block. See
  -- torch.autograd.set_detect_anomaly for what it checks.
  -- Differs from PyTorch: a function to run or a <close> guard instead of a
  -- Python context manager (no `with` in Lua).
  -- Example:
  --   local x = torch.tensor({0.0}, {requires_grad = true})
  --   local ok, err = pcall(torch.autograd.detect_anomaly, function()
  --     (x:log() * 0):sum():backward()
  --   end)
  --   err:match("Function '%w+' returned nan") --> "Function 'LogBackward0' returned nan"
  function autograd.detect_anomaly(fn, ...)
    if fn == nil or type(fn) == "table" then
      local check_nan = fn and fn.check_nan
      return anomaly_scope(check_nan)
    end
    local guard <close> = anomaly_scope(true)
    return fn(...)
  end

  --- torch.autograd.explain(y[, opts])
  -- Runs y:backward() one node at a time and shows each step in the
  -- engine's own order: the node (its grad_fn name), its derivative formula
  -- as written above its backward in ember's C source, the gradient coming
  -- in (shape, first values, norm), the gradient sent to each input, and
  -- for leaves the .grad accumulated so far. In a terminal it waits after
  -- each step: Enter shows the next, q shows no more (the backward still
  -- completes); otherwise (a script, a pipe, CI) it prints every step. It is
  -- the real backward: afterwards .grad holds exactly what y:backward()
  -- gives. opts: {gradient = tensor (non-scalar y), retain_graph = false,
  -- interactive = true|false (default: when stdin and stdout are a
  -- terminal), values = 4 (values shown per tensor), out = io.stdout (false:
  -- show nothing), params = model:named_parameters() or {name = tensor}
  -- (leaves shown by name)}.
  -- Returns the list of steps ({name=, formula=, grad=, grads={...}}).
  -- Example:
  --   local a = torch.tensor({2.0}, {requires_grad = true})
  --   local steps = torch.autograd.explain((a * a + a):sum(), {out = false})
  --   steps[1].name                           --> "SumBackward0"
  --   a.grad                                  --> tensor([5.])
  function autograd.explain(y, opts)
    return require("torch.explain").explain(y, opts)
  end
end
