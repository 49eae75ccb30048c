-- torch.removable_handle — PyTorch's RemovableHandle: what x:register_hook
-- and module:register_full_backward_hook return. h:remove() unregisters the
-- hook; a second remove does nothing. Not here: where hooks are kept (the
-- engine's registry for tensor hooks, lua/torch/nn/backward_hooks.lua for
-- modules).
local Handle = {}
Handle.__index = Handle
Handle.__name = "RemovableHandle"

local next_id = 0

-- Handle.new(remove) -> a handle whose :remove() calls remove() once.
function Handle.new(remove)
  next_id = next_id + 1
  return setmetatable({id = next_id, _remove = remove}, Handle)
end

--- h:remove()
-- Unregisters the hook this handle was returned for (PyTorch's
-- RemovableHandle.remove). Removing twice is harmless.
-- Example:
--   local x = torch.ones(2, {requires_grad = true})
--   local h = x:register_hook(function(g) return g * 2 end)
--   h:remove()
--   x:sum():backward()
--   x.grad                                  --> tensor([1., 1.])
function Handle:remove()
  local f = self._remove
  self._remove = nil
  if f then f() end
end

function Handle:__tostring()
  return "<torch.utils.hooks.RemovableHandle object " .. self.id .. ">"
end

return Handle
