-- optim.Optimizer — what SGD, Adam and AdamW share: param groups, per-
-- parameter state, zero_grad, and state_dict()/load_state_dict() in exactly
-- PyTorch's structure (see docs: optimizer-state), so the files load in
-- PyTorch and PyTorch's load here.
--   state_dict() = {state = {[0] = {momentum_buffer = t}, ...},
--                   param_groups = {{lr = 0.1, ..., params = {0, 1}}, ...}}
-- Parameter indices are 0-based, as in PyTorch's files (they are data).
local torch = require "torch"
local OrderedDict = require "torch.ordered_dict"

local Optimizer = {}
Optimizer.__index = Optimizer

--- A subclass with name, default hyper-parameters as an ordered list of
--- {key, default} (PyTorch's key order), and a step_group(self, group) method.
function Optimizer.define(name, defaults)
  local cls = setmetatable({}, {__index = Optimizer, __call = function(c, ...) return c.new(c, ...) end})
  cls.__index = cls
  cls.__name = name
  cls._defaults = defaults
  return cls
end

-- A list of groups ({params = ...} tables) rather than a list of tensors?
local function is_group_list(v)
  return type(v[1]) == "table" and not torch.is_tensor(v[1]) and v[1].params ~= nil
end

--- cls(params, opts): params is a list of tensors, or a list of groups
--- {params = {...}, lr = ...}; opts gives the hyper-parameters.
function Optimizer.new(cls, params, opts)
  opts = opts or {}
  local self = setmetatable({param_groups = {}, state = {}, defaults = opts}, cls)
  if type(params) ~= "table" then
    error(cls.__name .. ": params must be a list of tensors (model:parameters()), got " .. type(params), 3)
  end
  local groups = is_group_list(params) and params or {{params = params}}
  for _, g in ipairs(groups) do self:add_param_group(g) end
  local n = 0
  for _, g in ipairs(self.param_groups) do n = n + #g.params end
  if n == 0 then error(cls.__name .. ": optimizer got an empty parameter list", 3) end
  return self
end

--- add_param_group({params = {...}, lr = ...}): hyper-parameters not given
--- come from the optimizer's options, then its defaults.
function Optimizer:add_param_group(g)
  local cls = getmetatable(self)
  local group = OrderedDict()
  for _, kd in ipairs(cls._defaults) do
    local k = kd[1]
    local v = g[k]
    if v == nil then v = self.defaults[k] end
    if v == nil then v = kd[2] end
    if v == "required" then error(cls.__name .. ": the hyper-parameter " .. k .. " is required", 3) end
    group:set(k, v)
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
  self:_validate(group)
  self.param_groups[#self.param_groups + 1] = group
end

function Optimizer:_validate() end

--- zero_grad([{set_to_none=true}]): clears the gradients of every parameter.
function Optimizer:zero_grad(opts)
  local to_none = not (opts and opts.set_to_none == false)
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do
      if p.grad ~= nil then
        if to_none then p.grad = nil else p.grad:zero_() end
      end
    end
  end
end

--- step([closure]): one update of every parameter that has a gradient. With
--- a closure (re-evaluates the model and returns the loss) returns its loss.
function Optimizer:step(closure)
  local loss
  if closure then loss = torch.enable_grad(closure) end
  torch.no_grad(function()
    for _, g in ipairs(self.param_groups) do self:step_group(g) end
  end)
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

--- state_dict() -> {state=, param_groups=} as PyTorch writes it (tensors are
--- copies, not views of the live state).
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

--- load_state_dict(sd): restores state and hyper-parameters. Saved ids are
--- matched to parameters by position, as PyTorch does.
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

function Optimizer:_after_load() end

--- Per-parameter state table (created on first use).
function Optimizer:_state(p)
  local st = self.state[p]
  if not st then
    st = OrderedDict()
    self.state[p] = st
  end
  return st
end

return Optimizer
