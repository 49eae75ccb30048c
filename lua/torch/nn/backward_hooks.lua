-- nn.backward_hooks — module:register_full_backward_hook, PyTorch's full
-- backward hooks: hook(module, grad_input, grad_output) called once per
-- module call when the gradients with respect to the module's inputs are
-- ready; it may return a replacement grad_input. As in PyTorch, the
-- module's tensor inputs and outputs pass through identity nodes
-- (BackwardHookFunctionBackward, the grad_fn PyTorch shows too) whose
-- tensor hooks (x:register_hook) collect grad_output and grad_input.
-- module.lua's __call goes through call() only while a module has hooks.
-- Not here: forward hooks (module.lua).
--
-- Differs from PyTorch: the input side is one identity node per input
-- (PyTorch: one node for all), so with several tensor inputs the hooks run
-- when the last input's gradient arrives; a replacement is then possible
-- only for that input (another is an error saying so), and an input whose
-- gradient never arrives (not used by the outputs) means no call.
local torch = require "torch"
local core = require "torch.core"
local new_handle = require("torch.utils.hooks").handle   -- RemovableHandle

local M = {}

-- module -> array of {id, fn}; weak, so a dropped module takes its hooks along
local hooks_of = setmetatable({}, {__mode = "k"})
M.active = hooks_of

local function tuple(t, n)
  t.n = n
  return torch.tuple(t)
end

-- Calls the hooks in order, each seeing the last one's replacement.
local function run_hooks(m, grad_input, grad_output)
  for _, h in ipairs(hooks_of[m] or {}) do
    local r = h.fn(m, grad_input, grad_output)
    if r ~= nil then
      if type(r) ~= "table" or core.is_tensor(r) then
        error("register_full_backward_hook: a hook must return nil or a tuple (table) of gradients, got "
              .. (core.is_tensor(r) and "a tensor" or type(r)))
      end
      local n = r.n or #r
      if n ~= grad_input.n then
        error(string.format("register_full_backward_hook: the hook returned %d gradients for %d inputs "
                            .. "(grad_input has one entry per input, nil where it has no gradient)", n, grad_input.n))
      end
      grad_input = tuple({table.unpack(r, 1, grad_input.n)}, grad_input.n)
    end
  end
  return grad_input
end

local function fire(m, state)
  local gi = run_hooks(m, tuple(state.grad_inputs, state.n_in), tuple(state.grad_outputs, state.n_out))
  state.grad_inputs, state.grad_outputs = {}, {}
  state.in_left, state.out_left = state.n_wrapped_in, state.n_wrapped_out
  return gi
end

-- Wraps the tensor arguments that require grad; returns the call state.
function M.before(m, args)
  local state = {n_in = args.n, grad_inputs = {}, grad_outputs = {}, n_wrapped_in = 0, n_wrapped_out = 0}
  if not torch.is_grad_enabled() then return state end
  local order = {}
  for i = 1, args.n do
    local a = args[i]
    if core.is_tensor(a) and a.requires_grad then
      local w = core._backward_hook_identity(a)
      args[i] = w
      state.n_wrapped_in = state.n_wrapped_in + 1
      order[#order + 1] = i
      w:register_hook(function(g)
        state.grad_inputs[i] = g
        state.in_left = state.in_left - 1
        if state.in_left > 0 then
          state.passed = state.passed or {}
          state.passed[i] = g
          return nil
        end
        local passed = state.passed or {}
        state.passed = nil
        local gi = fire(m, state)
        for k, g0 in pairs(passed) do
          if gi[k] ~= g0 then
            error(string.format("register_full_backward_hook: cannot replace the gradient of input %d: ember calls "
                                .. "the hook when the last input's gradient is ready, and input %d's has already "
                                .. "flowed on (a module with several tensor inputs)", k, k))
          end
        end
        return gi[i]
      end)
    end
  end
  state.in_left = state.n_wrapped_in
  return state
end

-- Wraps the tensor results that require grad; returns them.
function M.after(m, state, ...)
  local outs = table.pack(...)
  state.n_out = outs.n
  if not torch.is_grad_enabled() then return ... end
  for j = 1, outs.n do
    local o = outs[j]
    if core.is_tensor(o) and o.requires_grad then
      local w = core._backward_hook_identity(o)
      outs[j] = w
      state.n_wrapped_out = state.n_wrapped_out + 1
      w:register_hook(function(g)
        state.grad_outputs[j] = g
        state.out_left = state.out_left - 1
        -- no input needs a gradient: PyTorch calls the hooks here, grad_input all nil
        if state.out_left == 0 and state.n_wrapped_in == 0 then fire(m, state) end
      end)
    end
  end
  state.out_left = state.n_wrapped_out
  return table.unpack(outs, 1, outs.n)
end

-- model(...) while model has full backward hooks.
function M.call(m, forward, ...)
  local args = table.pack(...)
  local state = M.before(m, args)
  return M.after(m, state, forward(m, table.unpack(args, 1, args.n)))
end

--- model:register_full_backward_hook(hook) -> handle
-- Calls hook(module, grad_input, grad_output) during backward, once per
-- call of the module, when the gradients with respect to its inputs are
-- computed: grad_input holds one entry per positional argument of the call
-- (the gradient, or nil for an argument that is not a tensor or needs no
-- gradient), grad_output one per result. A hook may return a replacement
-- grad_input (a table of the same length); nil keeps it. Hooks run in the
-- order they were registered. While a module has one, its results' grad_fn
-- is BackwardHookFunctionBackward, as in PyTorch. handle:remove()
-- unregisters it.
-- Differs from PyTorch: with several tensor arguments the hooks run when
-- the last input's gradient arrives and may replace only that one (another
-- replacement is an error); an input whose gradient never arrives means no call.
-- Example:
--   local lin = nn.Linear(3, 2)
--   local seen
--   local h = lin:register_full_backward_hook(function(m, gin, gout) seen = gout[1]:size() end)
--   lin(torch.randn(4, 3, {requires_grad = true})):sum():backward()
--   seen                                    --> torch.Size([4, 2])
--   h:remove()
local function register_full_backward_hook(self, hook)
  if type(hook) ~= "function" and not (getmetatable(hook) or {}).__call then
    error("register_full_backward_hook: expected a function, got " .. type(hook), 2)
  end
  local list = hooks_of[self]
  if not list then
    list = {}
    hooks_of[self] = list
  end
  local entry = {fn = hook}
  list[#list + 1] = entry
  return new_handle(function()
    for i, e in ipairs(list) do
      if e == entry then table.remove(list, i) break end
    end
    if #list == 0 and hooks_of[self] == list then hooks_of[self] = nil end
  end)
end

-- Adds the method to nn.Module (module.lua calls this once).
function M.install(Module)
  Module.register_full_backward_hook = register_full_backward_hook
end

return M
