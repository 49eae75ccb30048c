-- optim.sched_combine — schedulers made of schedulers, as PyTorch 1.13:
-- SequentialLR (one after another, switching at milestones) and
-- ChainedScheduler (all of them every step). Their state_dict holds each
-- scheduler's state_dict under _schedulers, last. Not here: the schedules.
local options = require "torch.options"
local Base = require "torch.optim.sched_base"

local function load_with_children(self, sd)
  for k, v in pairs(sd) do
    if k ~= "_schedulers" then self[k] = Base._copy(v) end
  end
  if sd._schedulers then
    for i, s in ipairs(sd._schedulers) do self._schedulers[i]:load_state_dict(s) end
  end
end

local function state_with_children(self, sd)
  local list = {}
  for i, s in ipairs(self._schedulers) do list[i] = s:state_dict() end
  sd:set("_schedulers", list)
end

--- optim.lr_scheduler.SequentialLR(optimizer, {schedulers =, milestones =})
-- Runs schedulers one after another: the first until milestones[1], the
-- second until milestones[2], ... (one milestone fewer than schedulers,
-- all of them on this optimizer). Each starts its schedule at the switch.
-- Example:
--   local warm = optim.lr_scheduler.LinearLR(opt, {start_factor = 0.1, total_iters = 5})
--   local decay = optim.lr_scheduler.ExponentialLR(opt, {gamma = 0.9})
--   local sched = optim.lr_scheduler.SequentialLR(opt, {schedulers = {warm, decay}, milestones = {5}})
local SequentialLR = Base.define("SequentialLR", {"_milestones", "last_epoch", "_last_lr"},
  "schedulers milestones last_epoch verbose")
SequentialLR._base_keys = {}
SequentialLR._extra_state = state_with_children
function SequentialLR._new(cls, optimizer, opts)
  opts = cls._spec:check(opts)
  local lvl = options.user_level()
  local schedulers, milestones = opts.schedulers, opts.milestones
  if type(schedulers) ~= "table" or type(milestones) ~= "table" then
    error("SequentialLR: schedulers and milestones (lists) are required", lvl)
  end
  for i, s in ipairs(schedulers) do
    if s.optimizer ~= optimizer then
      error(string.format("Sequential Schedulers expects all schedulers to belong to the same optimizer, but got " ..
        "schedulers at index %d to be different than the optimizer passed in.", i - 1), lvl)
    end
  end
  if #milestones ~= #schedulers - 1 then
    error(string.format("Sequential Schedulers expects number of schedulers provided to be one more than the " ..
      "number of milestone points, but got number of schedulers %d and the number of milestones to be equal to %d",
      #schedulers, #milestones), lvl)
  end
  local self = setmetatable({}, cls)
  self._schedulers = schedulers
  self._milestones = {}
  for i, m in ipairs(milestones) do self._milestones[i] = m end
  self.last_epoch = (opts.last_epoch or -1) + 1
  self.optimizer = optimizer
  for _, g in ipairs(optimizer.param_groups) do g.lr = g.initial_lr end
  for _, s in ipairs(schedulers) do s.last_epoch = s.last_epoch - 1 end
  schedulers[1]:_initial_step()
  self._last_lr = schedulers[1]:get_last_lr()
  return self
end
--- scheduler:step()
-- Ends an epoch: steps the scheduler whose turn it is (restarting it at
-- its milestone).
function SequentialLR:step()
  self.last_epoch = self.last_epoch + 1
  local idx = 0                                    -- bisect_right: milestones <= last_epoch
  for _, m in ipairs(self._milestones) do if m <= self.last_epoch then idx = idx + 1 end end
  local s = self._schedulers[idx + 1]
  if idx > 0 and self._milestones[idx] == self.last_epoch then s:step(0) else s:step() end
  self._last_lr = s:get_last_lr()
end
--- scheduler:load_state_dict(sd)
-- Restores the milestones position and each scheduler's state.
function SequentialLR:load_state_dict(sd) load_with_children(self, sd) end

--- optim.lr_scheduler.ChainedScheduler(schedulers)
-- Steps every scheduler of the list (all on one optimizer) at each step,
-- so their factors multiply.
-- Example:
--   local sched = optim.lr_scheduler.ChainedScheduler({warm, decay})
local ChainedScheduler = Base.define("ChainedScheduler", {"_last_lr"}, "")
ChainedScheduler._base_keys = {}
ChainedScheduler._extra_state = state_with_children
function ChainedScheduler._new(cls, schedulers, opts)
  cls._spec:check(opts)                            -- it takes no options: any key is an error
  local lvl = options.user_level()
  if type(schedulers) ~= "table" or #schedulers == 0 then
    error("ChainedScheduler: expected a list of schedulers", lvl)
  end
  for i = 2, #schedulers do
    if schedulers[i].optimizer ~= schedulers[1].optimizer then
      error(string.format("ChainedScheduler expects all schedulers to belong to the same optimizer, but got " ..
        "schedulers at index 0 and %d to be different", i - 1), lvl)
    end
  end
  local self = setmetatable({}, cls)
  self._schedulers = {}
  for i, s in ipairs(schedulers) do self._schedulers[i] = s end
  self.optimizer = schedulers[1].optimizer
  self._last_lr = self:_group_lrs()
  return self
end
--- scheduler:step()
-- Steps each scheduler of the chain once.
function ChainedScheduler:step()
  for _, s in ipairs(self._schedulers) do s:step() end
  self._last_lr = self:_group_lrs()
end
--- scheduler:load_state_dict(sd)
-- Restores each chained scheduler's state.
function ChainedScheduler:load_state_dict(sd) load_with_children(self, sd) end

return {SequentialLR = SequentialLR, ChainedScheduler = ChainedScheduler}
