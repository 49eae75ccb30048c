-- optim.Optimizer — what every optimizer (SGD, Adam, RMSprop, LBFGS, ...)
-- shares: param groups, per-parameter state, zero_grad, print(opt), and
-- state_dict()/load_state_dict() in exactly PyTorch's structure (see docs:
-- optimizer-state), so the files load in PyTorch and PyTorch's load here.
--   state_dict() = {state = {[0] = {momentum_buffer = t}, ...},
--                   param_groups = {{lr = 0.1, ..., params = {0, 1}}, ...}}
-- Parameter indices are 0-based, as in PyTorch's files (they are data).
local torch = require "torch"
local OrderedDict = require "torch.ordered_dict"
local options = require "torch.options"
local pyrepr = require "torch.optim.pyrepr"

--- optim.Optimizer: the base class of SGD, Adam, AdamW and the others
-- Holds param_groups (a list of OrderedDicts: params plus hyper-parameters
-- such as lr) and per-parameter state; gives zero_grad, step, add_param_group,
-- state_dict and load_state_dict in PyTorch's file structure. Make a new
-- optimizer with optim.Optimizer.define and a step_group method.
-- Example: opt:zero_grad(); loss:backward(); opt:step()
local Optimizer = {}
Optimizer.__index = Optimizer

--- optim.Optimizer.define(name, defaults) -> a new optimizer class
-- defaults: an ordered list of {key, default} pairs (PyTorch's key order;
-- "required" for a hyper-parameter without a default). Then define
-- Class:step_group(group), which updates group.params from their .grad.
-- Example: local Sign = optim.Optimizer.define("Sign", {{"lr", 0.01}})
--   function Sign:step_group(g) for _, p in ipairs(g.params) do
--     if p.grad then p:add_(p.grad:sign(), {alpha = -g.lr}) end end end
function Optimizer.define(name, defaults)
  local cls = setmetatable({}, {__index = Optimizer, __call = function(c, ...) return c.new(c, ...) end})
  cls.__index = cls
  cls.__name = name
  cls._defaults = defaults
  -- its options are its hyper-parameters (the defaults list); a group may
  -- also carry params and a scheduler's initial_lr
  local keys = {}
  for i, kd in ipairs(defaults) do keys[i] = kd[1] end
  cls._options = options.spec("optim." .. name, table.concat(keys, " "))
  cls._group_options = options.spec("optim." .. name .. " param group", "params initial_lr " .. table.concat(keys, " "))
  cls.__defined_at = {debug.getinfo(2, "Sl"), debug.getinfo(3, "Sl")}   -- for help(): the doc above it
  cls.__tostring = Optimizer.__tostring
  return cls
end

--- tostring(opt) (print(opt)) -> "SGD (\nParameter Group 0\n    dampening: 0\n...)"
-- The optimizer as PyTorch prints it: each param group's hyper-parameters
-- in sorted key order, values as Python shows them (0.1, 1e-08, None).
function Optimizer.__tostring(self)
  local out = {getmetatable(self).__name .. " ("}
  for i, g in ipairs(self.param_groups) do
    out[#out + 1] = "\nParameter Group " .. (i - 1) .. "\n"
    local keys = {}
    for k in pairs(g) do if k ~= "params" then keys[#keys + 1] = k end end
    table.sort(keys)
    for _, k in ipairs(keys) do out[#out + 1] = "    " .. k .. ": " .. pyrepr.repr(g[k]) .. "\n" end
  end
  out[#out + 1] = ")"
  return table.concat(out)
end

-- A list of groups ({params = ...} tables) rather than a list of tensors?
local function is_group_list(v)
  return type(v[1]) == "table" and not torch.is_tensor(v[1]) and v[1].params ~= nil
end

--- Optimizer.new(Class, params[, opts]) -> optimizer; usually Class(params, opts)
-- params: a list of tensors (model:parameters()), or a list of groups
-- {params = {...}, lr = ...} with their own hyper-parameters; opts gives
-- the others (PyTorch's keyword arguments), then the class defaults fill in.
-- Example:
--   local groups = {{params = body:parameters()},
--                   {params = head:parameters(), lr = 1e-2}}
--   local opt = optim.SGD(groups, {lr = 1e-3})   -- body at 1e-3, head at 1e-2
function Optimizer.new(cls, params, opts)
  opts = cls._options:check(opts)
  local self = setmetatable({param_groups = {}, state = {}, defaults = opts}, cls)
  if type(params) ~= "table" then
    error(cls.__name .. ": params must be a list of tensors (model:parameters()), got " .. type(params), 3)
  end
  local groups = is_group_list(params) and params or {{params = params}}
  for _, g in ipairs(groups) do self:add_param_group(g) end
  local n = 0
  for _, g in ipairs(self.param_groups) do n = n + #g.params end
  if n == 0 then error(cls.__name .. ": optimizer got an empty parameter list", 3) end
  self:_constructed()
  return self
end

--- opt:add_param_group({params = {...}, lr = ...})
-- Adds a group of parameters to optimize (e.g. a layer unfrozen later).
-- Hyper-parameters it does not give come from the optimizer's options,
-- then the class defaults.
function Optimizer:add_param_group(g)
  local cls = getmetatable(self)
  if type(g) ~= "table" or torch.is_tensor(g) then
    error(cls.__name .. ": a param group is a table {params = {...}, lr = ...}, got " .. type(g), 3)
  end
  cls._group_options:check(g)
  local group = OrderedDict()
  -- PyTorch's key order: the keys the group gives (here in the defaults'
  -- order: a Lua table has none), then the others from the defaults
  for pass = 1, 2 do
    for _, kd in ipairs(cls._defaults) do
      local k = kd[1]
      local v = g[k]
      if (pass == 1) == (v ~= nil) then
        if v == nil then v = self.defaults[k] end
        if v == nil then v = kd[2] end
        if v == "required" then error(cls.__name .. ": the hyper-parameter " .. k .. " is required", 3) end
        group:set(k, v)
      end
    end
  end
  local params = {}
  for i, p in ipairs(g.params or {}) do
    if not torch.is_tensor(p) then
      error(string.format("%s: parameter %d is a %s, not a tensor", cls.__name, i, type(p)), 3)
    end
    if not p.is_leaf then error(cls.__name .. ": can't optimize a non-leaf Tensor", 3) end
    params[i] = p
  end
  group.params = params
  for _, other in ipairs(self.param_groups) do
    for _, q in ipairs(other.params) do
      for _, p in ipairs(params) do
        if p == q then error(cls.__name .. ": some parameters appear in more than one parameter group", 3) end
      end
    end
  end
  -- PyTorch options that ember accepts in files but does not implement
  for _, k in ipairs({"differentiable", "capturable", "fused"}) do
    if group[k] == true then
      error(string.format("%s: %s = true is not implemented in ember", cls.__name, k), 3)
    end
  end
  self:_validate(group)
  self.param_groups[#self.param_groups + 1] = group
end

function Optimizer:_validate() end

-- After the constructor has added its groups (Adagrad fills its state here,
-- as PyTorch's does in __init__).
function Optimizer:_constructed() end

local ZERO_GRAD = options.spec("optimizer:zero_grad", "set_to_none")
--- opt:zero_grad([{set_to_none = true}])
-- Clears the .grad of every parameter it optimizes: set to nil (PyTorch 2's
-- default) or zeroed in place with {set_to_none = false}. Call it before
-- each backward(), since gradients accumulate.
-- Differs from PyTorch: the default is PyTorch 2's (set_to_none = true);
-- PyTorch 1.13 zeroes in place by default.
function Optimizer:zero_grad(opts)
  opts = ZERO_GRAD:check(opts)
  local to_none = opts.set_to_none ~= false
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do
      if p.grad ~= nil then
        if to_none then p.grad = nil else p.grad:zero_() end
      end
    end
  end
end

--- opt:step([closure]) -> loss or nil
-- One update of every parameter that has a .grad (parameters without one
-- are skipped), without recording gradients. closure: a function that
-- re-evaluates the model, calls backward and returns the loss; step then
-- returns that loss.
function Optimizer:step(closure)
  local loss
  if closure then loss = torch.enable_grad(closure) end
  local _ <close> = torch.no_grad()        -- grad mode comes back however this ends
  for _, g in ipairs(self.param_groups) do self:step_group(g) end
  return loss
end

-- Parameter -> 0-based index across groups (first occurrence wins).
function Optimizer:_indices()
  local index, order, n = {}, {}, 0
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do
      if index[p] == nil then
        index[p] = n
        order[n] = p
        n = n + 1
      end
    end
  end
  return index, order
end

--- opt:state_dict() -> {state =, param_groups =}
-- The optimizer's state (momentum buffers, Adam's averages) and
-- hyper-parameters in PyTorch's structure, parameters numbered from 0
-- (file data). Tensors are copies. torch.save writes it for PyTorch to load.
-- Example: torch.save(opt:state_dict(), "opt.pt")
function Optimizer:state_dict()
  local index = self:_indices()
  local state = torch.dict()
  local by_index = {}
  for p, st in pairs(self.state) do by_index[#by_index + 1] = {index[p], st} end
  table.sort(by_index, function(a, b) return a[1] < b[1] end)
  for _, e in ipairs(by_index) do
    local copy = torch.dict()
    for k, v in pairs(e[2]) do copy:set(k, torch.is_tensor(v) and v:clone() or v) end
    state[e[1]] = copy
  end
  local groups = {}
  for i, g in ipairs(self.param_groups) do
    local out = torch.dict()
    for k, v in pairs(g) do
      if k ~= "params" then out:set(k, v) end
    end
    local ids = {}
    for j, p in ipairs(g.params) do ids[j] = index[p] end
    out.params = ids
    groups[i] = out
  end
  local sd = torch.dict()
  sd.state = state
  sd.param_groups = groups
  return sd
end

--- opt:load_state_dict(sd)
-- Restores state and hyper-parameters (lr included) from a state_dict, ours
-- or PyTorch's. Saved parameter numbers are matched to this optimizer's
-- parameters by position, as PyTorch does: make it over the same model.
-- Example: opt:load_state_dict(torch.load("opt.pt"))
function Optimizer:load_state_dict(sd)
  local name = getmetatable(self).__name
  if type(sd) ~= "table" or sd.param_groups == nil or sd.state == nil then
    error(name .. ".load_state_dict: expected a table with 'state' and 'param_groups'", 2)
  end
  local saved_groups = sd.param_groups
  if #saved_groups ~= #self.param_groups then
    error("loaded state dict has a different number of parameter groups", 2)
  end
  local id_to_param = {}
  for i, g in ipairs(self.param_groups) do
    local sg = saved_groups[i]
    if #sg.params ~= #g.params then
      error("loaded state dict contains a parameter group that doesn't match the size of optimizer's group", 2)
    end
    for j, p in ipairs(g.params) do id_to_param[sg.params[j]] = p end
  end
  local state = {}
  for id, st in pairs(sd.state) do
    local p = id_to_param[id]
    if p ~= nil then
      local copy = OrderedDict()
      for k, v in pairs(st) do
        if torch.is_tensor(v) then
          v = (k ~= "step" and v:is_floating_point()) and v:to(p.dtype):clone() or v:clone()
        end
        copy:set(k, v)
      end
      state[p] = copy
    end
  end
  self.state = state
  for i, g in ipairs(self.param_groups) do
    local new = OrderedDict()
    for k, v in pairs(saved_groups[i]) do
      if k ~= "params" then new:set(k, v) end
    end
    for _, kd in ipairs(getmetatable(self)._defaults) do   -- keys an older file lacks
      if not new:contains(kd[1]) and g:contains(kd[1]) then new:set(kd[1], g[kd[1]]) end
    end
    new.params = g.params
    self.param_groups[i] = new
  end
  self:_after_load()
end

-- After load_state_dict: a class whose step is a tensor (cls._tensor_step)
-- turns a number step from an older file into a 0-dim float32 tensor, as
-- PyTorch's __setstate__ does.
function Optimizer:_after_load()
  if not getmetatable(self)._tensor_step then return end
  for _, st in pairs(self.state) do
    if type(st.step) == "number" then st.step = torch.tensor(st.step * 1.0) end
  end
end

--- Per-parameter state table (created on first use).
function Optimizer:_state(p)
  local st = self.state[p]
  if not st then
    st = OrderedDict()
    self.state[p] = st
  end
  return st
end

--- Optimizer:_new_state(p, g, init) -> p's state, made afresh
-- step first (a 0-dim float32 tensor where the class has _tensor_step,
-- else a number, as PyTorch 1.13 keeps each), then init(st, p, g) adds the
-- class's own buffers (PyTorch's state key order).
function Optimizer:_new_state(p, g, init)
  local st = self:_state(p)
  st.step = getmetatable(self)._tensor_step and torch.tensor(0.0) or 0
  init(st, p, g)
  return st
end

--- Optimizer:_each_grad(g, init, update)
-- What the step of Adamax, RAdam, NAdam, Adadelta, RMSprop and Adagrad
-- shares: for each parameter of group g that has a .grad, its state (made
-- by _new_state(p, g, init) on first use), step = step + 1, then
-- g = grad, negated with maximize, plus weight_decay * p (L2), and
-- update(p, g, st, t) with t the new step count: the class's own formula.
function Optimizer:_each_grad(g, init, update)
  local wd = g.weight_decay
  for _, p in ipairs(g.params) do
    local grad = p.grad
    if grad ~= nil then
      local st = self:_state(p)
      if st.step == nil then st = self:_new_state(p, g, init) end
      local t
      if type(st.step) == "number" then
        st.step = st.step + 1
        t = st.step
      else
        st.step:add_(1)
        t = st.step:item()
      end
      if g.maximize then grad = -grad end
      if wd ~= 0 then grad = grad:add(p, {alpha = wd}) end
      update(p, grad, st, t)
    end
  end
end

return Optimizer
