-- optim2_cases.lua — builds ember's side of the cases of
-- make_optim2_reference.py (optimizers and schedulers from a record), for
-- test_optim2_parity.lua and save_optim2_cases.lua. Not a test itself.
local M = {}

-- the lambdas the Python side names (make_optim2_reference.py LAMBDAS)
M.LAMBDAS = {
  pow95 = function(e) return 0.95 ^ e end,
  step10 = function(e) return 0.5 ^ (e // 10) end,
  mul09 = function() return 0.9 end,
}

function M.params(c, values)
  local out = {}
  for i, vals in ipairs(values or c.params) do
    out[i] = torch.tensor(vals, {dtype = c.dtype == "torch.float64" and torch.float64 or torch.float32})
      :reshape(c.shapes[i]):requires_grad_()
  end
  return out
end

function M.optimizer(c, params)
  local opts = {}
  for k, v in pairs(c.options) do opts[k] = v end
  if opts.betas then opts.betas = torch.tuple(opts.betas) end
  if c.groups and #c.groups > 0 then             -- one param group per parameter, with these options
    local groups = {}
    for i, g in ipairs(c.groups) do
      groups[i] = {params = {params[i]}}
      for k, v in pairs(g) do groups[i][k] = k == "betas" and torch.tuple(v) or v end
    end
    params = groups
  end
  return optim[c.optimizer](params, opts)
end

function M.set_grads(c, params, step)
  for i, p in ipairs(params) do p.grad = torch.tensor(c.grads[step][i]):reshape(c.shapes[i]) end
end

-- make_optim2_reference.py's loss_fn, for LBFGS's closure
function M.loss_fn(c, p0, p1)
  return ((p0 - 0.5) ^ 2 * torch.tensor(c.W, {dtype = p0.dtype})):sum() + (p1 ^ 4):sum() * 0.25 + p0:sum() * p1:sum() * 0.1
end

-- one step (1-based): the case's gradients, or LBFGS's closure; returns its loss
function M.do_step(c, opt, params, step)
  if c.optimizer == "LBFGS" then
    return opt:step(function()
      opt:zero_grad()
      local loss = M.loss_fn(c, params[1], params[2])
      loss:backward()
      return loss
    end):item()
  end
  M.set_grads(c, params, step)
  opt:step()
end

-- the SGD the scheduler cases drive: one param group per group, lr 0.1 / i
function M.sched_optimizer(c)
  local groups = {}
  for i = 1, c.groups do groups[i] = {params = {torch.zeros(2):requires_grad_()}, lr = 0.1 / i} end
  return optim.SGD(groups, {lr = 0.1, momentum = 0.9})
end

local function scheduler(opt, cls, options)
  local opts = {}
  for k, v in pairs(options) do opts[k] = v end
  if opts.lr_lambda then
    local v = opts.lr_lambda
    if type(v) == "table" then
      local fs = {}
      for i, name in ipairs(v) do fs[i] = M.LAMBDAS[name] end
      opts.lr_lambda = fs
    else
      opts.lr_lambda = M.LAMBDAS[v]
    end
  end
  if opts.schedulers then
    local subs = {}
    for i, s in ipairs(opts.schedulers) do subs[i] = scheduler(opt, s.cls, s.options) end
    opts.schedulers = subs
  end
  if cls == "ChainedScheduler" then return optim.lr_scheduler.ChainedScheduler(opts.schedulers) end
  return optim.lr_scheduler[cls](opt, opts)
end

function M.scheduler(c, opt) return scheduler(opt, c.scheduler, c.options) end

function M.sched_step(c, sched, step)
  if c.scheduler == "ReduceLROnPlateau" then sched:step(c.metrics[step]) else sched:step() end
end

return M
