-- torch.nn.module_hooks — a module's forward hooks, as PyTorch 1.13 calls
-- them: register_forward_pre_hook and register_forward_hook, and the call
-- that runs them around forward when a module has any. nn.Module installs
-- the two methods and calls M.call from model(x) only when one of the two
-- hook lists is there (a module without hooks pays one rawget).
-- Not here: the handle (torch.utils.hooks), backward hooks, global hooks
-- (PyTorch's register_module_forward_hook), kwargs (Lua has none).
local hooks = require "torch.utils.hooks"

local M = {}

-- A pre-hook's replacement: a plain table (no metatable) is the new list of
-- arguments; anything else is the one argument (PyTorch wraps a result that
-- is not a tuple in a tuple).
local function as_args(r)
  if type(r) == "table" and getmetatable(r) == nil then
    return {n = r.n or #r, table.unpack(r, 1, r.n or #r)}
  end
  return {n = 1, r}
end

--- M.call(m, run, ...) -> forward's results
-- PyTorch's _call_impl: each forward pre-hook(m, args) in registration
-- order, a non-nil result replacing args; then run(m, args...) (forward);
-- then each forward hook(m, args, output), a non-nil result replacing
-- output. args is a list {x, ..., n =}. A forward returning several values
-- gives the hooks a list {y1, y2, n =} as output, and a list returned by a
-- hook is returned as several values again.
function M.call(m, run, ...)
  local args = table.pack(...)
  local pre = rawget(m, "_forward_pre_hooks")
  if pre then
    for i = 1, #pre do
      local r = pre[i](m, args)
      if r ~= nil then args = as_args(r) end
    end
  end
  local post = rawget(m, "_forward_hooks")
  if not post then return run(m, table.unpack(args, 1, args.n)) end
  local out = table.pack(run(m, table.unpack(args, 1, args.n)))
  local several = out.n ~= 1
  local output = several and out or out[1]
  for i = 1, #post do
    local r = post[i](m, args, output)
    if r ~= nil then output = r end
  end
  if several and type(output) == "table" and getmetatable(output) == nil then
    return table.unpack(output, 1, output.n or #output)
  end
  return output
end

--- M.install(Module): adds the register methods to nn.Module.
function M.install(Module)
  --- model:register_forward_pre_hook(hook) -> handle
  -- Calls hook(module, args) before every forward of this module, args
  -- being the list of the call's arguments {x, ...}. A hook that returns a
  -- value replaces the arguments: a table {x1, x2} gives the new list, any
  -- other value (a tensor) the one argument. Hooks run in the order they
  -- were registered; handle:remove() unregisters. Hooks are not saved with
  -- the model (state_dict, torch.save).
  -- Example:
  --   local model = nn.Linear(1, 1, {bias = false})
  --   nn.init.ones_(model.weight)
  --   local h = model:register_forward_pre_hook(function(m, args) return args[1] * 2 end)
  --   model(torch.ones(1, 1)):item()  --> 2.0
  --   h:remove()
  function Module:register_forward_pre_hook(hook)
    return hooks.add(self, "_forward_pre_hooks", hook)
  end

  --- model:register_forward_hook(hook) -> handle
  -- Calls hook(module, args, output) after every forward of this module:
  -- args the arguments forward got (after any pre-hook's replacement),
  -- output its result. A hook that returns a value replaces the output.
  -- Hooks run in the order they were registered; handle:remove()
  -- unregisters. Hooks are not saved with the model (state_dict,
  -- torch.save). ember.monitor is made of these.
  -- Example:
  --   local model = nn.Sequential(nn.Linear(4, 3), nn.ReLU())
  --   local h = model[1]:register_forward_hook(function(m, args, out)
  --     print(m:class_name(), args[1].shape, out.shape)   -- Linear torch.Size([2, 4]) torch.Size([2, 3])
  --   end)
  --   model(torch.zeros(2, 4))
  --   h:remove()
  function Module:register_forward_hook(hook)
    return hooks.add(self, "_forward_hooks", hook)
  end
end

return M
