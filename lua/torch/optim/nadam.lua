-- optim.NAdam — step for step as PyTorch 1.13's single-tensor NAdam (Adam
-- with Nesterov momentum):
--   t = t + 1;  g = grad (+ weight_decay * p)
--   mu = beta1 * (1 - 0.5 * 0.96^(t * momentum_decay)), mu' the same at t + 1
--   prod = prod * mu (a float32 tensor, as PyTorch keeps it);  prod' = prod * mu * mu'
--   m = beta1 * m + (1 - beta1) * g;  v = beta2 * v + (1 - beta2) * g * g
--   denom = sqrt(v / (1 - beta2^t)) + eps
--   p = p - lr * (1 - mu) / (1 - prod) * g / denom - lr * mu' / (1 - prod') * m / denom
-- State per parameter: step and mu_product (0-dim float32 tensors),
-- exp_avg, exp_avg_sq. (1.13's NAdam has no maximize.)
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.NAdam(params[, {lr = 2e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0, momentum_decay = 4e-3}])
-- Adam with Nesterov momentum: the step looks ahead along the momentum,
-- whose weight mu rises with the step count at the pace momentum_decay.
-- Example: local opt = optim.NAdam(model:parameters(), {lr = 2e-3})
local NAdam = Optimizer.define("NAdam", {
  {"lr", 2e-3}, {"betas", torch.tuple{0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 0},
  {"momentum_decay", 4e-3}, {"foreach", nil},
})
NAdam._tensor_step = true

function NAdam:_validate(g)
  check.range("NAdam", g, "lr", "learning rate", 0)
  check.range("NAdam", g, "eps", "epsilon value", 0)
  check.betas("NAdam", g, torch)
  check.range("NAdam", g, "weight_decay", "weight_decay value", 0)
  check.range("NAdam", g, "momentum_decay", "momentum_decay value", 0)
end

-- NAdam's state after step (PyTorch's key order)
local function new_state(st, p)
  st.mu_product = torch.tensor(1.0)
  st.exp_avg = torch.zeros_like(p)
  st.exp_avg_sq = torch.zeros_like(p)
end

--- nadam:step_group(group)
-- One NAdam update of the parameters of one param group (opt:step() calls
-- it for each group, under no_grad).
function NAdam:step_group(g)
  local lr, eps, md = g.lr, g.eps, g.momentum_decay
  local beta1, beta2 = g.betas[1], g.betas[2]
  self:_each_grad(g, new_state, function(p, grad, st, t)
    local bias2 = 1 - beta2 ^ t
    local mu = beta1 * (1.0 - 0.5 * 0.96 ^ (t * md))
    local mu_next = beta1 * (1.0 - 0.5 * 0.96 ^ ((t + 1) * md))
    st.mu_product:mul_(mu)
    local prod_next = st.mu_product * mu * mu_next
    st.exp_avg:mul_(beta1):add_(grad, {alpha = 1 - beta1})
    st.exp_avg_sq:mul_(beta2):add_(grad * grad, {alpha = 1 - beta2})
    local denom = st.exp_avg_sq:div(bias2):sqrt():add_(eps)
    p:add_(grad / denom, {alpha = -lr * (1.0 - mu) / (1.0 - st.mu_product:item())})
    p:add_(st.exp_avg / denom, {alpha = -lr * mu_next / (1.0 - prod_next:item())})
  end)
end

-- A number mu_product from an older file becomes a tensor (as __setstate__).
function NAdam:_after_load()
  Optimizer._after_load(self)
  for _, st in pairs(self.state) do
    if type(st.mu_product) == "number" then st.mu_product = torch.tensor(st.mu_product * 1.0) end
  end
end

return NAdam
