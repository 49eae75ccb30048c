-- optim.sched_cyclic — the schedules that follow a cosine or a cycle, each
-- step for step as PyTorch 1.13: CosineAnnealingLR (its recursive form),
-- CosineAnnealingWarmRestarts, CyclicLR and OneCycleLR (which also cycle
-- the momentum, or Adam's beta1). Not here: the base (sched_base.lua).
local torch = require "torch"
local options = require "torch.options"
local Base = require "torch.optim.sched_base"

local COMMON, required = Base.COMMON, Base.required

local function has_default(optimizer, key)
  for _, kd in ipairs(getmetatable(optimizer)._defaults) do if kd[1] == key then return true end end
  return false
end

--- optim.lr_scheduler.CosineAnnealingLR(optimizer, {T_max =[, eta_min = 0]})
-- Anneals the lr from its initial value to eta_min along half a cosine
-- over T_max epochs (and back up over the next T_max):
-- lr = eta_min + (initial lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2.
-- Example: local sched = optim.lr_scheduler.CosineAnnealingLR(opt, {T_max = 50})
local CosineAnnealingLR = Base.define("CosineAnnealingLR", {"T_max", "eta_min"}, "T_max eta_min" .. COMMON)
function CosineAnnealingLR:_init(_, opts)
  self.T_max, self.eta_min = required("CosineAnnealingLR", opts, "T_max"), opts.eta_min or 0
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs for the current last_epoch, one cosine step on from the groups'
-- current lrs (PyTorch's recursive form).
function CosineAnnealingLR:get_lr()
  local t, T, eta = self.last_epoch, self.T_max, self.eta_min
  local out = {}
  for i, g in ipairs(self.optimizer.param_groups) do
    local b = self.base_lrs[i]
    if t == 0 then
      out[i] = g.lr
    elseif self._step_count == 1 and t > 0 then
      out[i] = eta + (b - eta) * (1 + math.cos(t * math.pi / T)) / 2
    elseif (t - 1 - T) % (2 * T) == 0 then
      out[i] = g.lr + (b - eta) * (1 - math.cos(math.pi / T)) / 2
    else
      out[i] = (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (g.lr - eta) + eta
    end
  end
  return out
end
function CosineAnnealingLR:_get_closed_form_lr()
  local out = {}
  for i, b in ipairs(self.base_lrs) do
    out[i] = self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.last_epoch / self.T_max)) / 2
  end
  return out
end

--- optim.lr_scheduler.CosineAnnealingWarmRestarts(optimizer, {T_0 =[, T_mult = 1, eta_min = 0]})
-- Cosine annealing that restarts at the initial lr every T_i epochs, the
-- first period T_0 and each next one T_mult times longer. step(epoch)
-- accepts fractional epochs (e.g. epoch + i / iters within an epoch).
-- Example:
--   local sched = optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, {T_0 = 10, T_mult = 2})
local CAWR = Base.define("CosineAnnealingWarmRestarts", {"T_0", "T_i", "T_mult", "eta_min", "T_cur"},
  "T_0 T_mult eta_min" .. COMMON)
function CAWR:_init(_, opts)
  local T_0, T_mult = required("CosineAnnealingWarmRestarts", opts, "T_0"), opts.T_mult or 1
  if math.type(T_0) ~= "integer" or T_0 <= 0 then
    error("Expected positive integer T_0, but got " .. tostring(T_0), options.user_level())
  end
  if math.type(T_mult) ~= "integer" or T_mult < 1 then
    error("Expected integer T_mult >= 1, but got " .. tostring(T_mult), options.user_level())
  end
  self.T_0, self.T_i, self.T_mult, self.eta_min = T_0, T_0, T_mult, opts.eta_min or 0
  self.T_cur = opts.last_epoch or -1
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs at T_cur epochs into the current period of T_i epochs.
function CAWR:get_lr()
  local out = {}
  for i, b in ipairs(self.base_lrs) do
    out[i] = self.eta_min + (b - self.eta_min) * (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
  end
  return out
end
--- scheduler:step([epoch])
-- Ends an epoch (T_cur + 1, restarting when it reaches T_i), or jumps to
-- epoch (a number, fractional allowed) when given, and sets the lrs.
function CAWR:step(epoch)
  if epoch == nil and self.last_epoch < 0 then epoch = 0 end
  if epoch == nil then
    epoch = self.last_epoch + 1
    self.T_cur = self.T_cur + 1
    if self.T_cur >= self.T_i then
      self.T_cur = self.T_cur - self.T_i
      self.T_i = self.T_i * self.T_mult
    end
  else
    if epoch < 0 then error("Expected non-negative epoch, but got " .. tostring(epoch), 2) end
    if epoch >= self.T_0 then
      if self.T_mult == 1 then
        self.T_cur = epoch % self.T_0
      else
        local n = math.floor(math.log(epoch / self.T_0 * (self.T_mult - 1) + 1, self.T_mult))
        self.T_cur = epoch - self.T_0 * (self.T_mult ^ n - 1) / (self.T_mult - 1)
        self.T_i = self.T_0 * math.tointeger(self.T_mult ^ n)
      end
    else
      self.T_i = self.T_0
      self.T_cur = epoch
    end
  end
  self.last_epoch = math.floor(epoch)
  self._get_lr_called_within_step = true
  local lrs = self:get_lr()
  for i, g in ipairs(self.optimizer.param_groups) do
    g.lr = lrs[i]
    self:print_lr(self.verbose, i - 1, lrs[i], epoch)
  end
  self._get_lr_called_within_step = false
  self._last_lr = self:_group_lrs()
end

--- optim.lr_scheduler.CyclicLR(optimizer, {base_lr =, max_lr =[, step_size_up = 2000, ...]})
-- Cycles the lr between base_lr and max_lr (per group, or one value):
-- up over step_size_up steps, down over step_size_down (default the same);
-- mode "triangular", "triangular2" (halves the height each cycle),
-- "exp_range" (times gamma^step), or scale_fn (a function of the cycle, or
-- of the step with scale_mode = "iterations"). cycle_momentum = true
-- (default) cycles the group's momentum inversely between base_momentum =
-- 0.8 and max_momentum = 0.9. Call step() after every batch.
-- Example:
--   local sched = optim.lr_scheduler.CyclicLR(opt, {base_lr = 0.01, max_lr = 0.1, step_size_up = 100})
local CyclicLR = Base.define("CyclicLR", {"max_lrs", "total_size", "step_ratio", "mode", "gamma", "_scale_fn_custom",
  "scale_mode", "cycle_momentum", "base_momentums", "max_momentums"},
  "base_lr max_lr step_size_up step_size_down mode gamma scale_fn scale_mode cycle_momentum base_momentum " ..
  "max_momentum" .. COMMON)
function CyclicLR:_init(optimizer, opts)
  if not Base.is_optimizer(optimizer) then
    error("CyclicLR: " .. type(optimizer) .. " is not an Optimizer", options.user_level())
  end
  local last_epoch = opts.last_epoch or -1
  local base_lrs = self:_format_param("base_lr", required("CyclicLR", opts, "base_lr"))
  if last_epoch == -1 then
    for i, g in ipairs(optimizer.param_groups) do g.lr = base_lrs[i] end
  end
  self.max_lrs = self:_format_param("max_lr", required("CyclicLR", opts, "max_lr"))
  local up = (opts.step_size_up or 2000) + 0.0
  local down = opts.step_size_down ~= nil and opts.step_size_down + 0.0 or up
  self.total_size = up + down
  self.step_ratio = up / self.total_size
  local mode = opts.mode or "triangular"
  if mode ~= "triangular" and mode ~= "triangular2" and mode ~= "exp_range" and opts.scale_fn == nil then
    error("mode is invalid and scale_fn is None", options.user_level())
  end
  self.mode = mode
  self.gamma = opts.gamma or 1.0
  if opts.scale_fn == nil then
    self._scale_fn_custom = torch.None
    self._scale_fn = nil
    self.scale_mode = mode == "exp_range" and "iterations" or "cycle"
  else
    self._scale_fn = opts.scale_fn
    self._scale_fn_custom = torch.None   -- a Lua function is not saved (as LambdaLR's lambdas)
    self.scale_mode = opts.scale_mode or "cycle"
  end
  local cycle_momentum = opts.cycle_momentum ~= false
  self.cycle_momentum = cycle_momentum
  if cycle_momentum then
    if not has_default(optimizer, "momentum") then
      error("optimizer must support momentum with `cycle_momentum` option enabled", options.user_level())
    end
    local bm = self:_format_param("base_momentum", opts.base_momentum or 0.8)
    if last_epoch == -1 then
      for i, g in ipairs(optimizer.param_groups) do g.momentum = bm[i] end
    end
    local base_m = {}
    for i, g in ipairs(optimizer.param_groups) do base_m[i] = g.momentum end
    self.base_momentums = base_m
    self.max_momentums = self:_format_param("max_momentum", opts.max_momentum or 0.9)
  end
  self._cyclic_base_lrs = base_lrs
end
function CyclicLR._new(cls, optimizer, opts)
  local self = Base.make(cls, optimizer, opts)
  self.base_lrs = self._cyclic_base_lrs     -- PyTorch sets base_lrs after the base constructor
  self._cyclic_base_lrs = nil
  return self
end
function CyclicLR:_scale(x)
  if self._scale_fn then return self._scale_fn(x) end
  if self.mode == "triangular" then return 1.0 end
  if self.mode == "triangular2" then return 1 / (2.0 ^ (x - 1)) end
  return self.gamma ^ x
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs at the current step (last_epoch) of the cycle; also sets each
-- group's momentum when cycle_momentum.
function CyclicLR:get_lr()
  local t = self.last_epoch
  local cycle = math.floor(1 + t / self.total_size)
  local x = 1.0 + t / self.total_size - cycle
  local scale_factor
  if x <= self.step_ratio then scale_factor = x / self.step_ratio
  else scale_factor = (x - 1) / (self.step_ratio - 1) end
  local arg = self.scale_mode == "cycle" and cycle or t
  local lrs = {}
  for i, b in ipairs(self.base_lrs) do
    local height = (self.max_lrs[i] - b) * scale_factor
    lrs[i] = b + height * self:_scale(arg)
  end
  if self.cycle_momentum then
    for i, g in ipairs(self.optimizer.param_groups) do
      local height = (self.max_momentums[i] - self.base_momentums[i]) * scale_factor
      g.momentum = self.max_momentums[i] - height * self:_scale(arg)
    end
  end
  return lrs
end
function CyclicLR:_load_key(k, v)
  if k == "_scale_fn_ref" then return end          -- a 1.13 weak reference (never in a file)
  if k == "_scale_fn_custom" then return end       -- functions are not saved: keep this one's
  self[k] = Base._copy(v)
end

--- optim.lr_scheduler.OneCycleLR(optimizer, {max_lr =, total_steps = (or epochs =, steps_per_epoch =), ...})
-- The 1cycle policy: the lr rises from max_lr / div_factor (25) to max_lr
-- over pct_start (0.3) of the steps, then anneals to initial / final_div_factor
-- (1e4); anneal_strategy "cos" or "linear"; three_phase = true comes back
-- down symmetrically first. The momentum (or Adam's beta1) cycles inversely
-- between max_momentum (0.95) and base_momentum (0.85). Call step() after
-- every batch, total_steps times.
-- Differs from PyTorch: its state_dict stores the anneal function's name
-- (_anneal_func_type, as PyTorch 2 does), so files from PyTorch 2 load but
-- PyTorch 1.13's, which pickle a bound method, are refused (they hold code).
-- Example:
--   local sched = optim.lr_scheduler.OneCycleLR(opt, {max_lr = 0.1, total_steps = 1000})
local OneCycleLR = Base.define("OneCycleLR", {"total_steps", "_schedule_phases", "_anneal_func_type",
  "cycle_momentum", "use_beta1"},
  "max_lr total_steps epochs steps_per_epoch pct_start anneal_strategy cycle_momentum base_momentum " ..
  "max_momentum div_factor final_div_factor three_phase" .. COMMON)
local function phase(end_step, s_lr, e_lr, s_m, e_m)
  return torch.dict{{"end_step", end_step}, {"start_lr", s_lr}, {"end_lr", e_lr},
                           {"start_momentum", s_m}, {"end_momentum", e_m}}
end
function OneCycleLR:_init(optimizer, opts)
  if not Base.is_optimizer(optimizer) then
    error("OneCycleLR: " .. type(optimizer) .. " is not an Optimizer", options.user_level())
  end
  local lvl = options.user_level()
  local total, epochs, spe = opts.total_steps, opts.epochs, opts.steps_per_epoch
  if total == nil and epochs == nil and spe == nil then
    error("You must define either total_steps OR (epochs AND steps_per_epoch)", lvl)
  elseif total ~= nil then
    if math.type(total) ~= "integer" or total <= 0 then
      error("Expected positive integer total_steps, but got " .. tostring(total), lvl)
    end
    self.total_steps = total
  else
    if math.type(epochs) ~= "integer" or epochs <= 0 then
      error("Expected positive integer epochs, but got " .. tostring(epochs), lvl)
    end
    if math.type(spe) ~= "integer" or spe <= 0 then
      error("Expected positive integer steps_per_epoch, but got " .. tostring(spe), lvl)
    end
    self.total_steps = epochs * spe
  end
  local pct = opts.pct_start or 0.3
  local n = self.total_steps
  if opts.three_phase then
    self._schedule_phases = {
      phase(pct * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
      phase(2 * pct * n - 2, "max_lr", "initial_lr", "base_momentum", "max_momentum"),
      phase(n - 1, "initial_lr", "min_lr", "max_momentum", "max_momentum")}
  else
    self._schedule_phases = {
      phase(pct * n - 1, "initial_lr", "max_lr", "max_momentum", "base_momentum"),
      phase(n - 1, "max_lr", "min_lr", "base_momentum", "max_momentum")}
  end
  if math.type(pct) ~= "float" or pct < 0 or pct > 1 then
    error("Expected float between 0 and 1 pct_start, but got " .. tostring(pct), lvl)
  end
  local strategy = opts.anneal_strategy or "cos"
  if strategy ~= "cos" and strategy ~= "linear" then
    error("anneal_strategy must by one of 'cos' or 'linear', instead got " .. tostring(strategy), lvl)
  end
  self._anneal_func_type = strategy
  local max_lrs = self:_format_param("max_lr", required("OneCycleLR", opts, "max_lr"))
  local last_epoch = opts.last_epoch or -1
  local div, final_div = opts.div_factor or 25.0, opts.final_div_factor or 1e4
  if last_epoch == -1 then
    for i, g in ipairs(optimizer.param_groups) do
      g.initial_lr = max_lrs[i] / div
      g.max_lr = max_lrs[i]
      g.min_lr = g.initial_lr / final_div
    end
  end
  self.cycle_momentum = opts.cycle_momentum ~= false
  if self.cycle_momentum then
    if not has_default(optimizer, "momentum") and not has_default(optimizer, "betas") then
      error("optimizer must support momentum with `cycle_momentum` option enabled", lvl)
    end
    self.use_beta1 = has_default(optimizer, "betas")
    local maxm = self:_format_param("max_momentum", opts.max_momentum or 0.95)
    local basem = self:_format_param("base_momentum", opts.base_momentum or 0.85)
    if last_epoch == -1 then
      for i, g in ipairs(optimizer.param_groups) do
        if self.use_beta1 then g.betas = torch.tuple{maxm[i], g.betas[2]} else g.momentum = maxm[i] end
        g.max_momentum = maxm[i]
        g.base_momentum = basem[i]
      end
    end
  end
end
function OneCycleLR:_anneal(start, stop, pct)
  if self._anneal_func_type == "linear" then return (stop - start) * pct + start end
  local cos_out = math.cos(math.pi * pct) + 1
  return stop + (start - stop) / 2.0 * cos_out
end
--- scheduler:get_lr() -> {lr, ...}
-- The lrs at the current step (last_epoch) of the cycle; also sets each
-- group's momentum (or beta1) when cycle_momentum. An error past total_steps.
function OneCycleLR:get_lr()
  local step_num = self.last_epoch
  if step_num > self.total_steps then
    error(string.format("Tried to step %d times. The specified number of total steps is %d", step_num + 1,
      self.total_steps), 0)
  end
  local lrs = {}
  local phases = self._schedule_phases
  for gi, g in ipairs(self.optimizer.param_groups) do
    local start_step = 0
    local lr, momentum
    for i, ph in ipairs(phases) do
      local end_step = ph.end_step
      if step_num <= end_step or i == #phases then
        local pct = (step_num - start_step) / (end_step - start_step)
        lr = self:_anneal(g[ph.start_lr], g[ph.end_lr], pct)
        if self.cycle_momentum then momentum = self:_anneal(g[ph.start_momentum], g[ph.end_momentum], pct) end
        break
      end
      start_step = ph.end_step
    end
    lrs[gi] = lr
    if self.cycle_momentum then
      if self.use_beta1 then g.betas = torch.tuple{momentum, g.betas[2]} else g.momentum = momentum end
    end
  end
  return lrs
end
function OneCycleLR:_load_key(k, v)
  if k == "anneal_func" then return end      -- a 1.13 bound method: not data
  self[k] = Base._copy(v)
end
function OneCycleLR:_after_load()
  if self._anneal_func_type == nil then self._anneal_func_type = "cos" end
end

return {CosineAnnealingLR = CosineAnnealingLR, CosineAnnealingWarmRestarts = CAWR, CyclicLR = CyclicLR,
        OneCycleLR = OneCycleLR}
