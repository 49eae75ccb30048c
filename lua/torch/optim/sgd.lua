-- optim.SGD — stochastic gradient descent with momentum, dampening, Nesterov
-- momentum and weight decay, step for step as PyTorch 1.13's SGD:
--   d = grad (+ weight_decay * p)
--   buf = d on the first step, then momentum * buf + (1 - dampening) * d
--   d = nesterov and d + momentum * buf or buf      (when momentum ~= 0)
--   p = p - lr * d
local Optimizer = require "torch.optim.optimizer"
local core = require "torch.core"
local torch = require "torch"

--- optim.SGD(params, {lr =[, momentum =, dampening =, weight_decay =, nesterov =]})
-- Stochastic gradient descent, step for step as PyTorch: p = p - lr * d, d
-- the gradient (plus weight_decay * p), or with momentum the running buffer
-- buf = momentum * buf + (1 - dampening) * d. lr is required; the others
-- default to 0 (nesterov = false, maximize = false).
-- params: model:parameters() or a list of groups {params =, lr =, ...}.
-- Example: local opt = optim.SGD(model:parameters(), {lr = 0.1, momentum = 0.9})
local SGD = Optimizer.define("SGD", {
  {"lr", "required"}, {"momentum", 0}, {"dampening", 0}, {"weight_decay", 0}, {"nesterov", false},
  {"maximize", false}, {"foreach", nil}, {"differentiable", false},
})

function SGD:_validate(g)
  if type(g.lr) ~= "number" or not (g.lr >= 0) then error("SGD: Invalid learning rate: " .. tostring(g.lr), 4) end
  if g.momentum < 0 then error("SGD: Invalid momentum value: " .. tostring(g.momentum), 4) end
  if g.weight_decay < 0 then error("SGD: Invalid weight_decay value: " .. tostring(g.weight_decay), 4) end
  if g.nesterov and (g.momentum <= 0 or g.dampening ~= 0) then
    error("SGD: Nesterov momentum requires a momentum and zero dampening", 4)
  end
end

--- sgd:step_group(group)
-- One SGD update of the parameters of one param group (opt:step() calls it
-- for each group, under no_grad).
function SGD:step_group(g)
  if g.momentum == 0 then
    -- PyTorch 1.13 keeps a momentum_buffer of None for each parameter it stepped
    for _, p in ipairs(g.params) do
      if p.grad ~= nil then self:_state(p):set("momentum_buffer", nil) end
    end
  end
  if g.momentum == 0 and self._kernel ~= false then
    -- without momentum: every parameter in one C call (src/backend/cpu/cpu_optim.c),
    -- the same float operations as _step_one; the few it cannot take come back
    local left = core._sgd_step_(g.params, g.lr, g.weight_decay, g.maximize)
    if left then
      for _, i in ipairs(left) do self:_step_one(g.params[i], g) end
    end
    return
  end
  for _, p in ipairs(g.params) do self:_step_one(p, g) end
end

-- The update of one parameter, op by op: the readable reference (and the
-- path with momentum, or with opt._kernel = false, a test hook).
function SGD:_step_one(p, g)
  local lr, momentum, dampening, wd = g.lr, g.momentum, g.dampening, g.weight_decay
  local d = p.grad
  if d == nil then return end
  if g.maximize then d = -d end
  if wd ~= 0 then d = d:add(p, {alpha = wd}) end
  if momentum ~= 0 then
    local st = self:_state(p)
    local buf = st.momentum_buffer
    if buf == nil or buf == torch.None then    -- None: a 1.13 file saved before momentum was set
      buf = d:clone()
      st.momentum_buffer = buf
    else
      buf:mul_(momentum):add_(d, {alpha = 1 - dampening})
    end
    d = g.nesterov and d:add(buf, {alpha = momentum}) or buf
  end
  p:add_(d, {alpha = -lr})
end

return SGD
