-- torch.utils.hooks — PyTorch's RemovableHandle: what every register_*_hook
-- returns, and the hook lists it removes from. A hook list is a plain Lua
-- sequence of functions kept in a field of its owner (a module's
-- _forward_hooks, ...), in registration order; the field is nil while no
-- hook is registered, so code that runs hooks pays one rawget when there
-- are none. Adding and removing replace the list with a new one (never
-- change it in place), so a hook that removes itself, or adds another,
-- while the list is being run does not disturb that run.
-- Not here: when hooks are called and with what (the modules and tensors
-- that own them).
local hooks = {}

--- torch.utils.hooks.RemovableHandle: what register_forward_hook and the other register_*_hook return
-- handle:remove() unregisters the hook; removing twice does nothing, as in
-- PyTorch. handle.id is a number unique to this registration.
-- Example:
--   local model = nn.Linear(3, 2)
--   local h = model:register_forward_hook(function(m, args, out) print(out.shape) end)
--   model(torch.zeros(4, 3))   -- prints torch.Size([4, 2])
--   h:remove()                 -- the hook is gone
local RemovableHandle = {__name = "RemovableHandle"}
RemovableHandle.__index = RemovableHandle

local next_id = 0

-- The owner's list with `fn` appended (a new table; ids ride in .ids).
local function with(list, id, fn)
  local out, ids = {}, {}
  if list then
    for i = 1, #list do out[i], ids[i] = list[i], list.ids[i] end
  end
  out[#out + 1], ids[#ids + 1] = fn, id
  out.ids = ids
  return out
end

--- hooks.add(owner, field, fn) -> RemovableHandle
-- Appends fn to the hook list rawget(owner, field) (made on first use) and
-- returns the handle that removes it. owner is a table (a module, or a
-- table that stands for a tensor's hooks).
function hooks.add(owner, field, fn)
  if type(fn) ~= "function" and not (getmetatable(fn) or {}).__call then
    error("register hook: expected a function, got " .. type(fn), 3)
  end
  next_id = next_id + 1
  rawset(owner, field, with(rawget(owner, field), next_id, fn))
  return setmetatable({id = next_id, _owner = owner, _field = field}, RemovableHandle)
end

hooks.RemovableHandle = RemovableHandle

--- hooks.handle(remove) -> RemovableHandle
-- A handle for hooks kept elsewhere (the engine's registry for tensor
-- hooks, torch.nn.backward_hooks for modules): :remove() calls remove()
-- once.
function hooks.handle(remove)
  next_id = next_id + 1
  return setmetatable({id = next_id, _remove = remove}, RemovableHandle)
end

--- handle:remove()
-- Removes the hook this handle was returned for (nothing when it is gone
-- already). When the last hook of a list goes, the list goes too, so a
-- module without hooks costs nothing extra when called.
function RemovableHandle:remove()
  local f = rawget(self, "_remove")
  if f then
    self._remove = false
    return f()
  elseif f == false then
    return
  end
  local owner, field = rawget(self, "_owner"), rawget(self, "_field")
  local list = owner and rawget(owner, field)
  if not list then return end
  local out, ids = {}, {}
  for i = 1, #list do
    if list.ids[i] ~= self.id then out[#out + 1], ids[#ids + 1] = list[i], list.ids[i] end
  end
  out.ids = ids
  rawset(owner, field, #out > 0 and out or nil)
end

function RemovableHandle:__tostring() return "RemovableHandle(id=" .. self.id .. ")" end

return hooks
