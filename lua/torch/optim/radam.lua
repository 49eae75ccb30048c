-- optim.RAdam — step for step as PyTorch 1.13's single-tensor RAdam
-- (rectified Adam):
--   t = t + 1;  g = grad (+ weight_decay * p)
--   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
--   rho_inf = 2 / (1 - beta2) - 1;  rho_t = rho_inf - 2 t beta2^t / (1 - beta2^t)
--   rho_t > 5: p = p - lr * m / (1 - beta1^t) * rect * sqrt(1 - beta2^t) / (sqrt(v) + eps)
--     rect = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t))
--   else:      p = p - lr * m / (1 - beta1^t)
-- State per parameter: step (a 0-dim float32 tensor), exp_avg, exp_avg_sq.
-- (1.13's RAdam has no maximize.)
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.RAdam(params[, {lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}])
-- Adam whose adaptive step is switched on gradually: while the variance
-- estimate is unreliable (the first few steps) it steps by the momentum
-- alone, then by Adam's step times a rectification term.
-- Example: local opt = optim.RAdam(model:parameters(), {lr = 1e-3})
local RAdam = Optimizer.define("RAdam", {
  {"lr", 1e-3}, {"betas", torch.tuple{0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 0}, {"foreach", nil},
})
RAdam._tensor_step = true

function RAdam:_validate(g)
  check.range("RAdam", g, "lr", "learning rate", 0)
  check.range("RAdam", g, "eps", "epsilon value", 0)
  check.betas("RAdam", g, torch)
  check.range("RAdam", g, "weight_decay", "weight_decay value", 0)
end

-- RAdam's state after step (PyTorch's key order)
local function new_state(st, p)
  st.exp_avg = torch.zeros_like(p)
  st.exp_avg_sq = torch.zeros_like(p)
end

--- radam:step_group(group)
-- One RAdam update of the parameters of one param group (opt:step() calls
-- it for each group, under no_grad).
function RAdam:step_group(g)
  local lr, eps = g.lr, g.eps
  local beta1, beta2 = g.betas[1], g.betas[2]
  self:_each_grad(g, new_state, function(p, grad, st, t)
    local bias1, bias2 = 1 - beta1 ^ t, 1 - beta2 ^ t
    st.exp_avg:mul_(beta1):add_(grad, {alpha = 1 - beta1})
    st.exp_avg_sq:mul_(beta2):add_(grad * grad, {alpha = 1 - beta2})
    local corrected = st.exp_avg / bias1
    local rho_inf = 2 / (1 - beta2) - 1
    local rho_t = rho_inf - 2 * t * (beta2 ^ t) / bias2
    if rho_t > 5.0 then
      local rect = math.sqrt((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t))
      local adaptive_lr = math.sqrt(bias2) / st.exp_avg_sq:sqrt():add_(eps)
      p:add_(corrected * lr * adaptive_lr * rect, {alpha = -1.0})
    else
      p:add_(corrected * lr, {alpha = -1.0})
    end
  end)
end

return RAdam
