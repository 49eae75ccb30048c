-- optim.sched_plateau — ReduceLROnPlateau as PyTorch 1.13: lowers the lr
-- when a metric stops improving. It is not an epoch-based schedule (no
-- base_lrs); its state_dict holds 1.13's attributes in 1.13's order.
local torch = require "torch"
local options = require "torch.options"
local Base = require "torch.optim.sched_base"

--- optim.lr_scheduler.ReduceLROnPlateau(optimizer[, {mode = "min", factor = 0.1, patience = 10, ...}])
-- Multiplies the lr by factor when the metric given to step(metric) has
-- not improved for more than patience epochs (then waits cooldown epochs).
-- mode "min" (a loss) or "max" (an accuracy); improvement is relative
-- (threshold_mode "rel": better than best * (1 -+ threshold)) or absolute
-- ("abs"); threshold = 1e-4; min_lr = 0 (or one per group); eps = 1e-8
-- (smaller changes are skipped).
-- Example:
--   local sched = optim.lr_scheduler.ReduceLROnPlateau(opt, {patience = 3})
--   sched:step(val_loss)
local ReduceLROnPlateau = Base.define("ReduceLROnPlateau", {"factor", "min_lrs", "patience", "verbose", "cooldown",
  "cooldown_counter", "mode", "threshold", "threshold_mode", "best", "num_bad_epochs", "mode_worse", "eps",
  "last_epoch", "_last_lr"},
  "mode factor patience threshold threshold_mode cooldown min_lr eps verbose")
ReduceLROnPlateau._base_keys = {}

function ReduceLROnPlateau._new(cls, optimizer, opts)
  opts = cls._spec:check(opts)
  local lvl = options.user_level()
  local self = setmetatable({}, cls)
  local factor = opts.factor or 0.1
  if factor >= 1.0 then error("Factor should be < 1.0.", lvl) end
  self.factor = factor
  if not Base.is_optimizer(optimizer) then
    error("ReduceLROnPlateau: " .. type(optimizer) .. " is not an Optimizer", lvl)
  end
  self.optimizer = optimizer
  local min_lr = opts.min_lr or 0
  if type(min_lr) == "table" then
    if #min_lr ~= #optimizer.param_groups then
      error(string.format("expected %d min_lrs, got %d", #optimizer.param_groups, #min_lr), lvl)
    end
  end
  self.min_lrs = self:_format_param("min_lr", min_lr)
  self.patience = opts.patience or 10
  self.verbose = opts.verbose == true
  self.cooldown = opts.cooldown or 0
  self.cooldown_counter = 0
  self.mode = opts.mode or "min"
  self.threshold = opts.threshold or 1e-4
  self.threshold_mode = opts.threshold_mode or "rel"
  self.eps = opts.eps or 1e-8
  self.last_epoch = 0
  local ok, err = pcall(self._init_is_better, self)
  if not ok then error(err, lvl) end
  self:_reset()
  return self
end

function ReduceLROnPlateau:_reset()
  self.best = self.mode_worse
  self.cooldown_counter = 0
  self.num_bad_epochs = 0
end

function ReduceLROnPlateau:_init_is_better()
  if self.mode ~= "min" and self.mode ~= "max" then error("mode " .. tostring(self.mode) .. " is unknown!", 0) end
  if self.threshold_mode ~= "rel" and self.threshold_mode ~= "abs" then
    error("threshold mode " .. tostring(self.threshold_mode) .. " is unknown!", 0)
  end
  self.mode_worse = self.mode == "min" and math.huge or -math.huge
end

--- scheduler:is_better(a, best) -> boolean
-- Whether metric a improves on best by more than the threshold.
function ReduceLROnPlateau:is_better(a, best)
  if self.mode == "min" and self.threshold_mode == "rel" then return a < best * (1.0 - self.threshold) end
  if self.mode == "min" then return a < best - self.threshold end
  if self.threshold_mode == "rel" then return a > best * (self.threshold + 1.0) end
  return a > best + self.threshold
end

--- scheduler:step(metric[, epoch])
-- Records this epoch's metric (a number or a one-element tensor) and
-- lowers the lrs when it has not improved for more than patience epochs.
function ReduceLROnPlateau:step(metrics, epoch)
  local current = torch.is_tensor(metrics) and metrics:item() or metrics
  if type(current) ~= "number" then error("ReduceLROnPlateau.step: the metric must be a number", 2) end
  current = current + 0.0
  if epoch == nil then epoch = self.last_epoch + 1 end
  self.last_epoch = epoch
  if self:is_better(current, self.best) then
    self.best = current
    self.num_bad_epochs = 0
  else
    self.num_bad_epochs = self.num_bad_epochs + 1
  end
  if self.cooldown_counter > 0 then
    self.cooldown_counter = self.cooldown_counter - 1
    self.num_bad_epochs = 0
  end
  if self.num_bad_epochs > self.patience then
    self:_reduce_lr(epoch)
    self.cooldown_counter = self.cooldown
    self.num_bad_epochs = 0
  end
  self._last_lr = self:_group_lrs()
end

function ReduceLROnPlateau:_reduce_lr(epoch)
  for i, g in ipairs(self.optimizer.param_groups) do
    local old = g.lr + 0.0
    local new = math.max(old * self.factor, self.min_lrs[i])
    if old - new > self.eps then
      g.lr = new
      if self.verbose then
        local e = math.type(epoch) == "float" and string.format("%.2f", epoch) or string.format("%05d", epoch)
        print(string.format("Epoch %s: reducing learning rate of group %d to %.4e.", e, i - 1, new))
      end
    end
  end
end

--- scheduler:load_state_dict(sd)
-- Restores the counters, best value and settings from a state_dict.
function ReduceLROnPlateau:load_state_dict(sd)
  for k, v in pairs(sd) do self[k] = Base._copy(v) end
  self:_init_is_better()
end

return {ReduceLROnPlateau = ReduceLROnPlateau}
