-- optim.lr_scheduler — learning-rate schedules that change an optimizer's
-- group lr as epochs pass. StepLR: lr = base_lr * gamma^floor(epoch / step_size).
local OrderedDict = require "torch.ordered_dict"
local options = require "torch.options"

--- optim.lr_scheduler.StepLR(optimizer, {step_size =[, gamma = 0.1]})
-- Multiplies every group's lr by gamma each step_size epochs:
-- lr = initial lr * gamma^floor(epoch / step_size). Call scheduler:step()
-- once per epoch, after the epoch's optimizer steps.
-- Example:
--   local sched = optim.lr_scheduler.StepLR(opt, {step_size = 10, gamma = 0.5})
local StepLR = {}
StepLR.__index = StepLR

local STEP_LR = options.spec("optim.lr_scheduler.StepLR", "step_size gamma", "last_epoch verbose")
--- StepLR.new(optimizer, {step_size =[, gamma = 0.1]}) -> scheduler
-- The same as optim.lr_scheduler.StepLR(optimizer, opts). Records each
-- group's initial_lr (as PyTorch does); step_size must be a positive integer.
function StepLR.new(optimizer, opts)
  opts = STEP_LR:check(opts)
  if math.type(opts.step_size) ~= "integer" or opts.step_size <= 0 then
    error("StepLR: step_size must be a positive integer", 2)
  end
  local self = setmetatable({optimizer = optimizer, step_size = opts.step_size, gamma = opts.gamma or 0.1,
                             last_epoch = 0, base_lrs = {}}, StepLR)
  for i, g in ipairs(optimizer.param_groups) do
    if g.initial_lr == nil then g:set("initial_lr", g.lr) end
    self.base_lrs[i] = g.initial_lr
  end
  self._last_lr = self:get_lr()
  return self
end

--- scheduler:get_lr() -> list of lrs
-- The lr of each param group for the current epoch (last_epoch), computed
-- from the initial lrs; does not change the optimizer.
function StepLR:get_lr()
  local out = {}
  local factor = self.gamma ^ (self.last_epoch // self.step_size)
  for i, base in ipairs(self.base_lrs) do out[i] = base * factor end
  return out
end

--- scheduler:step()
-- Ends an epoch: last_epoch + 1, and sets each group's lr for it. Call it
-- once per epoch, after opt:step().
function StepLR:step()
  self.last_epoch = self.last_epoch + 1
  for i, lr in ipairs(self:get_lr()) do self.optimizer.param_groups[i].lr = lr end
  self._last_lr = self:get_lr()
end

--- scheduler:get_last_lr() -> list of lrs
-- The lrs the last step() set, one per param group (for logging).
function StepLR:get_last_lr() return self._last_lr end

--- scheduler:state_dict() -> OrderedDict
-- step_size, gamma, base_lrs, last_epoch and _last_lr, PyTorch's keys, for
-- torch.save or torch.checkpoint (the optimizer is saved separately).
function StepLR:state_dict()
  return OrderedDict{{"step_size", self.step_size}, {"gamma", self.gamma}, {"base_lrs", self.base_lrs},
                     {"last_epoch", self.last_epoch}, {"_last_lr", self._last_lr}}
end

--- scheduler:load_state_dict(sd)
-- Restores step_size, gamma, base_lrs and last_epoch from a state_dict.
-- Load the optimizer's state too, since the groups' lrs live there.
function StepLR:load_state_dict(sd)
  for _, k in ipairs({"step_size", "gamma", "base_lrs", "last_epoch"}) do self[k] = sd[k] end
  self._last_lr = self:get_lr()
end

return {StepLR = setmetatable(StepLR, {__call = function(_, ...) return StepLR.new(...) end})}
