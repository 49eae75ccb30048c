-- optim.Adamax — step for step as PyTorch 1.13's single-tensor Adamax (Adam
-- with the infinity norm):
--   t = t + 1;  g = grad (negated with maximize) (+ weight_decay * p)
--   m = beta1 * m + (1 - beta1) * g
--   u = max(beta2 * u, |g| + eps)
--   p = p - lr / (1 - beta1^t) * m / u
-- State per parameter: step (a 0-dim float32 tensor), exp_avg (m), exp_inf (u).
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.Adamax(params[, {lr = 2e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0}])
-- Adam with the running infinity norm of the gradients in place of their
-- root mean square: u = max(beta2 * u, |g| + eps), p = p - lr / (1 -
-- beta1^t) * m / u. Also maximize = false.
-- Example: local opt = optim.Adamax(model:parameters(), {lr = 2e-3})
local Adamax = Optimizer.define("Adamax", {
  {"lr", 2e-3}, {"betas", torch.tuple{0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 0},
  {"foreach", nil}, {"maximize", false},
})
Adamax._tensor_step = true

function Adamax:_validate(g)
  check.range("Adamax", g, "lr", "learning rate", 0)
  check.range("Adamax", g, "eps", "epsilon value", 0)
  check.betas("Adamax", g, torch)
  check.range("Adamax", g, "weight_decay", "weight_decay value", 0)
end

-- Adamax's state after step (PyTorch's key order)
local function new_state(st, p)
  st.exp_avg = torch.zeros_like(p)
  st.exp_inf = torch.zeros_like(p)
end

--- adamax:step_group(group)
-- One Adamax update of the parameters of one param group (opt:step()
-- calls it for each group, under no_grad).
function Adamax:step_group(g)
  local lr, eps = g.lr, g.eps
  local beta1, beta2 = g.betas[1], g.betas[2]
  self:_each_grad(g, new_state, function(p, grad, st, t)
    st.exp_avg:mul_(beta1):add_(grad, {alpha = 1 - beta1})
    st.exp_inf:mul_(beta2)
    st.exp_inf:copy_(torch.maximum(st.exp_inf, grad:abs():add_(eps)))
    local clr = lr / (1 - beta1 ^ t)
    p:add_(st.exp_avg / st.exp_inf, {alpha = -clr})
  end)
end

return Adamax
