-- optim.sched_decay — the schedules that decay the lr by a rule of the
-- epoch, each step for step as PyTorch 1.13 (its chainable get_lr from the
-- groups' current lrs, and its closed form for step(epoch)): StepLR,
-- MultiStepLR, ConstantLR, LinearLR, ExponentialLR, PolynomialLR, LambdaLR,
-- MultiplicativeLR. Not here: the base (sched_base.lua), cosine and cyclic
-- schedules (sched_cyclic.lua).
local torch = require "torch"
local options = require "torch.options"
local Base = require "torch.optim.sched_base"

local COMMON, required = Base.COMMON, Base.required

local function map_groups(self, f)
  local out = {}
  for i, g in ipairs(self.optimizer.param_groups) do out[i] = f(g.lr, i) end
  return out
end

local function map_base(self, f)
  local out = {}
  for i, b in ipairs(self.base_lrs) do out[i] = f(b, i) end
  return out
end

--- optim.lr_scheduler.StepLR(optimizer, {step_size =[, gamma = 0.1]})
-- Multiplies every group's lr by gamma each step_size epochs:
-- lr = initial lr * gamma^floor(epoch / step_size). Call scheduler:step()
-- once per epoch, after the epoch's optimizer steps.
-- Example:
--   local sched = optim.lr_scheduler.StepLR(opt, {step_size = 10, gamma = 0.5})
local StepLR = Base.define("StepLR", {"step_size", "gamma"}, "step_size gamma" .. COMMON)

function StepLR:_init(_, opts)
  local n = required("StepLR", opts, "step_size")
  if math.type(n) ~= "integer" or n <= 0 then error("StepLR: step_size must be a positive integer", options.user_level()) end
  self.step_size, self.gamma = n, opts.gamma or 0.1
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs the schedule gives for the current last_epoch, computed from the
-- groups' current lrs as PyTorch's get_lr (step() calls it).
function StepLR:get_lr()
  if self.last_epoch == 0 or self.last_epoch % self.step_size ~= 0 then return self:_group_lrs() end
  return map_groups(self, function(lr) return lr * self.gamma end)
end
function StepLR:_get_closed_form_lr()
  return map_base(self, function(b) return b * self.gamma ^ (self.last_epoch // self.step_size) end)
end

--- optim.lr_scheduler.MultiStepLR(optimizer, {milestones =[, gamma = 0.1]})
-- Multiplies the lr by gamma at each epoch in milestones (a list of
-- increasing epochs; an epoch listed twice multiplies twice).
-- Example:
--   local sched = optim.lr_scheduler.MultiStepLR(opt, {milestones = {30, 80}, gamma = 0.1})
local MultiStepLR = Base.define("MultiStepLR", {"milestones", "gamma"}, "milestones gamma" .. COMMON)

function MultiStepLR:_init(_, opts)
  local ms = required("MultiStepLR", opts, "milestones")
  -- a Counter (epoch -> how often it is listed), in first-listed order, as PyTorch's
  local counter = torch.dict()
  for _, m in ipairs(ms) do counter[m] = (counter[m] or 0) + 1 end
  self.milestones, self.gamma = counter, opts.gamma or 0.1
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch: the groups' lrs times gamma^count at
-- a milestone, else unchanged.
function MultiStepLR:get_lr()
  local n = self.milestones[self.last_epoch]
  if n == nil then return self:_group_lrs() end
  return map_groups(self, function(lr) return lr * self.gamma ^ n end)
end
function MultiStepLR:_get_closed_form_lr()
  local passed = 0
  for m, n in pairs(self.milestones) do if m <= self.last_epoch then passed = passed + n end end
  return map_base(self, function(b) return b * self.gamma ^ passed end)
end

--- optim.lr_scheduler.ConstantLR(optimizer[, {factor = 1/3, total_iters = 5}])
-- Multiplies the lr by factor for the first total_iters epochs, then gives
-- the initial lr back (a warm-up at a constant low rate).
-- Example: local sched = optim.lr_scheduler.ConstantLR(opt, {factor = 0.5, total_iters = 4})
local ConstantLR = Base.define("ConstantLR", {"factor", "total_iters"}, "factor total_iters" .. COMMON)

function ConstantLR:_init(_, opts)
  local factor = opts.factor or 1.0 / 3
  if factor > 1.0 or factor < 0 then
    error("ConstantLR: Constant multiplicative factor expected to be between 0 and 1.", options.user_level())
  end
  self.factor, self.total_iters = factor, opts.total_iters or 5
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch: times factor at epoch 0, divided by
-- it at total_iters, else unchanged.
function ConstantLR:get_lr()
  if self.last_epoch == 0 then return map_groups(self, function(lr) return lr * self.factor end) end
  if self.last_epoch ~= self.total_iters then return self:_group_lrs() end
  return map_groups(self, function(lr) return lr * (1.0 / self.factor) end)
end
function ConstantLR:_get_closed_form_lr()
  local on = self.last_epoch >= self.total_iters and 1 or 0
  return map_base(self, function(b) return b * (self.factor + on * (1 - self.factor)) end)
end

--- optim.lr_scheduler.LinearLR(optimizer[, {start_factor = 1/3, end_factor = 1.0, total_iters = 5}])
-- Moves the lr's factor linearly from start_factor to end_factor over
-- total_iters epochs (a linear warm-up), then keeps it.
-- Example: local sched = optim.lr_scheduler.LinearLR(opt, {start_factor = 0.1, total_iters = 10})
local LinearLR = Base.define("LinearLR", {"start_factor", "end_factor", "total_iters"},
  "start_factor end_factor total_iters" .. COMMON)

function LinearLR:_init(_, opts)
  local s, e = opts.start_factor or 1.0 / 3, opts.end_factor or 1.0
  if s > 1.0 or s < 0 then
    error("LinearLR: Starting multiplicative factor expected to be between 0 and 1.", options.user_level())
  end
  if e > 1.0 or e < 0 then
    error("LinearLR: Ending multiplicative factor expected to be between 0 and 1.", options.user_level())
  end
  self.start_factor, self.end_factor, self.total_iters = s, e, opts.total_iters or 5
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch, one linear step on from the groups'
-- current lrs (PyTorch's recursive form).
function LinearLR:get_lr()
  local s, e, n, t = self.start_factor, self.end_factor, self.total_iters, self.last_epoch
  if t == 0 then return map_groups(self, function(lr) return lr * s end) end
  if t > n then return self:_group_lrs() end
  return map_groups(self, function(lr) return lr * (1.0 + (e - s) / (n * s + (t - 1) * (e - s))) end)
end
function LinearLR:_get_closed_form_lr()
  local s, e, n = self.start_factor, self.end_factor, self.total_iters
  return map_base(self, function(b) return b * (s + (e - s) * math.min(n, self.last_epoch) / n) end)
end

--- optim.lr_scheduler.ExponentialLR(optimizer, {gamma =})
-- Multiplies the lr by gamma every epoch: lr = initial lr * gamma^epoch.
-- Example: local sched = optim.lr_scheduler.ExponentialLR(opt, {gamma = 0.95})
local ExponentialLR = Base.define("ExponentialLR", {"gamma"}, "gamma" .. COMMON)

function ExponentialLR:_init(_, opts) self.gamma = required("ExponentialLR", opts, "gamma") end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch: the groups' lrs times gamma (unchanged at epoch 0).
function ExponentialLR:get_lr()
  if self.last_epoch == 0 then return self:_group_lrs() end
  return map_groups(self, function(lr) return lr * self.gamma end)
end
function ExponentialLR:_get_closed_form_lr()
  return map_base(self, function(b) return b * self.gamma ^ self.last_epoch end)
end

--- optim.lr_scheduler.PolynomialLR(optimizer[, {total_iters = 5, power = 1.0}])
-- Decays the lr to 0 over total_iters epochs along
-- lr = initial lr * (1 - epoch / total_iters)^power.
-- Example: local sched = optim.lr_scheduler.PolynomialLR(opt, {total_iters = 100, power = 2.0})
local PolynomialLR = Base.define("PolynomialLR", {"total_iters", "power"}, "total_iters power" .. COMMON)

function PolynomialLR:_init(_, opts) self.total_iters, self.power = opts.total_iters or 5, opts.power or 1.0 end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch, one polynomial step on from the
-- groups' current lrs (PyTorch's recursive form).
function PolynomialLR:get_lr()
  local t, n = self.last_epoch, self.total_iters
  if t == 0 or t > n then return self:_group_lrs() end
  local f = ((1.0 - t / n) / (1.0 - (t - 1) / n)) ^ self.power
  return map_groups(self, function(lr) return lr * f end)
end
function PolynomialLR:_get_closed_form_lr()
  local n = self.total_iters
  return map_base(self, function(b) return b * (1.0 - math.min(n, self.last_epoch) / n) ^ self.power end)
end

-- LambdaLR and MultiplicativeLR: one function per group (or one for all);
-- the state_dict holds lr_lambdas last, None for a function and the fields
-- of a callable table (PyTorch: the __dict__ of a callable object).
local function lambdas(name, optimizer, f)
  local n = #optimizer.param_groups
  local list = {}
  if type(f) == "table" and getmetatable(f) == nil then
    if #f ~= n then error(string.format("Expected %d lr_lambdas, but got %d", n, #f), options.user_level()) end
    for i = 1, n do list[i] = f[i] end
  else
    for i = 1, n do list[i] = f end
  end
  for i = 1, n do
    local ok = type(list[i]) == "function" or (getmetatable(list[i]) or {}).__call ~= nil
    if not ok then error(name .. ": lr_lambda must be a function or a list of functions", options.user_level()) end
  end
  return list
end

local function lambda_state(self, sd)
  local out = {}
  for i, fn in ipairs(self.lr_lambdas) do
    if type(fn) == "table" then
      local d = torch.dict()
      for k, v in pairs(fn) do d:set(k, Base._copy(v)) end
      out[i] = d
    else
      out[i] = torch.None
    end
  end
  sd:set("lr_lambdas", out)
end

local function lambda_load(self, k, v)
  if k ~= "lr_lambdas" then self[k] = Base._copy(v) return end
  for i, d in ipairs(v) do
    if d ~= torch.None and type(self.lr_lambdas[i]) == "table" then
      for kk, vv in pairs(d) do self.lr_lambdas[i][kk] = vv end
    end
  end
end

--- optim.lr_scheduler.LambdaLR(optimizer, {lr_lambda =})
-- Sets lr = initial lr * lr_lambda(epoch); lr_lambda is a function of the
-- epoch (0, 1, ...) or a list of them, one per param group.
-- Example:
--   local sched = optim.lr_scheduler.LambdaLR(opt, {lr_lambda = function(e) return 0.95 ^ e end})
local LambdaLR = Base.define("LambdaLR", {}, "lr_lambda" .. COMMON)

function LambdaLR:_init(optimizer, opts)
  self.lr_lambdas = lambdas("LambdaLR", optimizer, required("LambdaLR", opts, "lr_lambda"))
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch: each group's initial lr times its lr_lambda(epoch).
function LambdaLR:get_lr()
  return map_base(self, function(b, i) return b * self.lr_lambdas[i](self.last_epoch) end)
end
LambdaLR._extra_state = lambda_state
LambdaLR._load_key = lambda_load

--- optim.lr_scheduler.MultiplicativeLR(optimizer, {lr_lambda =})
-- Multiplies the lr by lr_lambda(epoch) every epoch after the first;
-- lr_lambda is a function of the epoch or a list of them, one per group.
-- Example:
--   local sched = optim.lr_scheduler.MultiplicativeLR(opt, {lr_lambda = function() return 0.95 end})
local MultiplicativeLR = Base.define("MultiplicativeLR", {}, "lr_lambda" .. COMMON)

function MultiplicativeLR:_init(optimizer, opts)
  self.lr_lambdas = lambdas("MultiplicativeLR", optimizer, required("MultiplicativeLR", opts, "lr_lambda"))
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch: the groups' lrs times lr_lambda(epoch) (unchanged at epoch 0).
function MultiplicativeLR:get_lr()
  if self.last_epoch <= 0 then return self:_group_lrs() end
  return map_groups(self, function(lr, i) return lr * self.lr_lambdas[i](self.last_epoch) end)
end
MultiplicativeLR._extra_state = lambda_state
MultiplicativeLR._load_key = lambda_load

return {StepLR = StepLR, MultiStepLR = MultiStepLR, ConstantLR = ConstantLR, LinearLR = LinearLR,
        ExponentialLR = ExponentialLR, PolynomialLR = PolynomialLR, LambdaLR = LambdaLR,
        MultiplicativeLR = MultiplicativeLR}
