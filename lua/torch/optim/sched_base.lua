-- optim.sched_base — what PyTorch 1.13's _LRScheduler gives every epoch-based
-- scheduler: initial_lr in each group, base_lrs, last_epoch, _step_count,
-- step() (the recursive get_lr, or the closed form when an epoch is
-- given), get_last_lr(), verbose messages, and state_dict()/load_state_dict()
-- with 1.13's keys in 1.13's order (its __dict__ minus the optimizer).
-- Each scheduler class lists its own attributes (cls._keys) in the order
-- its constructor sets them; the base ones follow. Not here: the schedules.
local torch = require "torch"
local options = require "torch.options"

local Base = {}
Base.__index = Base

-- attributes every scheduler's state_dict carries after its own (1.13's order)
local BASE_KEYS = {"base_lrs", "last_epoch", "verbose", "_step_count", "_get_lr_called_within_step", "_last_lr"}

-- Base.define(name, own_keys, known_options[, pytorch_only]) -> class
-- A scheduler class: cls(optimizer, opts) runs cls._init(self, optimizer,
-- opts) (setting own_keys), then the base constructor and the first step;
-- a class with its own construction sets cls._new(cls, ...).
function Base.define(name, own_keys, known, pytorch_only)
  local cls = setmetatable({}, {__index = Base, __call = function(c, ...) return (c._new or Base.make)(c, ...) end})
  cls.__index = cls
  cls.__name = "torch.optim.lr_scheduler." .. name
  cls.__tostring = Base.__tostring
  cls._keys = own_keys
  cls._spec = options.spec("optim.lr_scheduler." .. name, known, pytorch_only)
  cls._short = name
  cls.__defined_at = {debug.getinfo(2, "Sl"), debug.getinfo(3, "Sl")}   -- for help(): the doc above it
  return cls
end

-- the options every epoch-based schedule takes after its own (appended
-- to Base.define's known_options)
Base.COMMON = " last_epoch verbose"

-- Base.required(name, opts, key) -> opts[key], or the error PyTorch's
-- missing positional argument gives
function Base.required(name, opts, key)
  if opts[key] == nil then error(name .. ": " .. key .. " is required", options.user_level()) end
  return opts[key]
end

--- tostring(scheduler) -> "<torch.optim.lr_scheduler.StepLR object at 0x...>"
-- As PyTorch prints a scheduler (Python's default repr).
function Base.__tostring(self)
  local addr = string.format("%p", self)
  return "<" .. getmetatable(self).__name .. " object at " .. addr .. ">"
end

function Base.is_optimizer(o)
  local mt = type(o) == "table" and getmetatable(o)
  return mt and mt._defaults ~= nil and type(o.param_groups) == "table"
end

-- the base constructor (_LRScheduler.__init__), then the initial step
function Base:_base_init(optimizer, last_epoch, verbose)
  if not Base.is_optimizer(optimizer) then
    error(self._short .. ": " .. type(optimizer) .. " is not an Optimizer", options.user_level())
  end
  self.optimizer = optimizer
  if last_epoch == -1 then
    for _, g in ipairs(optimizer.param_groups) do
      if g.initial_lr == nil then g:set("initial_lr", g.lr) end
    end
  else
    for i, g in ipairs(optimizer.param_groups) do
      if g.initial_lr == nil then
        error(string.format("param 'initial_lr' is not specified in param_groups[%d] when resuming an optimizer",
          i - 1), options.user_level())
      end
    end
  end
  local base = {}
  for i, g in ipairs(optimizer.param_groups) do base[i] = g.initial_lr end
  self.base_lrs = base
  self.last_epoch = last_epoch
  self.verbose = verbose
  self:_initial_step()
end

function Base:_initial_step()
  self._step_count = 0
  self:step()
end

-- cls(optimizer, opts): options checked, own attributes, then the base
function Base.make(cls, optimizer, opts)
  opts = cls._spec:check(opts)
  local self = setmetatable({}, cls)
  self.optimizer = optimizer
  cls._init(self, optimizer, opts)
  local last_epoch = opts.last_epoch
  if last_epoch == nil then last_epoch = -1 end
  self:_base_init(optimizer, last_epoch, opts.verbose == true)
  return self
end

--- scheduler:get_last_lr() -> {lr, ...}
-- The lr of each param group as the last step() set it (for logging).
function Base:get_last_lr() return self._last_lr end

-- 'Adjusting learning rate of group 0 to 1.0000e-01.' when verbose
function Base:print_lr(is_verbose, group, lr, epoch)
  if not is_verbose then return end
  if epoch == nil then
    print(string.format("Adjusting learning rate of group %d to %.4e.", group, lr))
  else
    local e = math.type(epoch) == "float" and string.format("%.2f", epoch) or string.format("%05d", epoch)
    print(string.format("Epoch %s: adjusting learning rate of group %d to %.4e.", e, group, lr))
  end
end

--- scheduler:step([epoch])
-- Ends an epoch: last_epoch + 1 and every group's lr set for it (from the
-- current lrs, as PyTorch's chainable form). With epoch (deprecated in
-- PyTorch) last_epoch = epoch and the closed form where there is one.
-- Call it once per epoch, after opt:step().
function Base:step(epoch)
  self._step_count = self._step_count + 1
  self._get_lr_called_within_step = true
  local ok, values = pcall(function()
    if epoch == nil then
      self.last_epoch = self.last_epoch + 1
      return self:get_lr()
    end
    self.last_epoch = epoch
    if self._get_closed_form_lr then return self:_get_closed_form_lr() end
    return self:get_lr()
  end)
  self._get_lr_called_within_step = false
  if not ok then error(values, 0) end
  for i, g in ipairs(self.optimizer.param_groups) do
    if values[i] ~= nil then
      g.lr = values[i]
      self:print_lr(self.verbose, i - 1, values[i], epoch)
    end
  end
  local last = {}
  for i, g in ipairs(self.optimizer.param_groups) do last[i] = g.lr end
  self._last_lr = last
end

-- the current lr of each group
function Base:_group_lrs()
  local out = {}
  for i, g in ipairs(self.optimizer.param_groups) do out[i] = g.lr end
  return out
end

-- a value per group (a list of that length) or the same value for each
function Base:_format_param(name, value)
  local n = #self.optimizer.param_groups
  if type(value) == "table" then
    if #value ~= n then
      error(string.format("expected %d values for %s, got %d", n, name, #value), options.user_level())
    end
    local out = {}
    for i = 1, n do out[i] = value[i] end
    return out
  end
  local out = {}
  for i = 1, n do out[i] = value end
  return out
end

local function copy(v)
  if type(v) == "table" and not torch.is_tensor(v) and getmetatable(v) == nil then
    local out = {}
    for k, x in pairs(v) do out[k] = copy(x) end
    return out
  end
  return v
end
Base._copy = copy

--- scheduler:state_dict() -> dict
-- The scheduler's attributes with PyTorch 1.13's keys, in its order
-- (base_lrs, last_epoch, _step_count, _last_lr, ... and the schedule's
-- own), for torch.save; the optimizer's state is saved separately.
function Base:state_dict()
  local sd = torch.dict()
  local function put(k)
    local v = self[k]
    if v ~= nil then sd:set(k, copy(v)) end
  end
  for _, k in ipairs(getmetatable(self)._keys) do put(k) end
  for _, k in ipairs(self._base_keys or BASE_KEYS) do put(k) end
  if self._extra_state then self:_extra_state(sd) end
  return sd
end

--- scheduler:load_state_dict(sd)
-- Restores the attributes a state_dict holds (ember's or PyTorch's), as
-- PyTorch's __dict__.update. Load the optimizer's state too: the groups'
-- lrs live there.
function Base:load_state_dict(sd)
  if type(sd) ~= "table" then
    error(self._short .. ".load_state_dict: expected a state_dict table, got " .. type(sd), 2)
  end
  for k, v in pairs(sd) do
    if self._load_key then
      self:_load_key(k, v)
    else
      self[k] = copy(v)
    end
  end
  if self._after_load then self:_after_load() end
end

Base.BASE_KEYS = BASE_KEYS
return Base
