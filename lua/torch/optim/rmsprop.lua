-- optim.RMSprop — step for step as PyTorch 1.13's single-tensor RMSprop:
--   g = grad (negated with maximize) (+ weight_decay * p)
--   v = alpha * v + (1 - alpha) * g * g
--   centered: a = alpha * a + (1 - alpha) * g;  avg = sqrt(v - a * a) + eps
--   else avg = sqrt(v) + eps
--   momentum > 0: buf = momentum * buf + g / avg;  p = p - lr * buf
--   else p = p - lr * g / avg
-- State per parameter: step (a Python int, as 1.13 keeps it), square_avg,
-- momentum_buffer (momentum > 0), grad_avg (centered).
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.RMSprop(params[, {lr = 0.01, alpha = 0.99, eps = 1e-8, weight_decay = 0, momentum = 0, centered = false}])
-- Divides each step by a running root mean square of the gradients:
-- v = alpha * v + (1 - alpha) * g^2, p = p - lr * g / (sqrt(v) + eps);
-- centered subtracts the running mean of g first; momentum keeps a buffer
-- of those steps. Also maximize = false, as in PyTorch.
-- Example: local opt = optim.RMSprop(model:parameters(), {lr = 1e-3, momentum = 0.9})
local RMSprop = Optimizer.define("RMSprop", {
  {"lr", 1e-2}, {"momentum", 0}, {"alpha", 0.99}, {"eps", 1e-8}, {"centered", false}, {"weight_decay", 0},
  {"foreach", nil}, {"maximize", false}, {"differentiable", false},
})

function RMSprop:_validate(g)
  check.range("RMSprop", g, "lr", "learning rate", 0)
  check.range("RMSprop", g, "eps", "epsilon value", 0)
  check.range("RMSprop", g, "momentum", "momentum value", 0)
  check.range("RMSprop", g, "weight_decay", "weight_decay value", 0)
  check.range("RMSprop", g, "alpha", "alpha value", 0)
end

-- RMSprop's state after step (PyTorch's key order)
local function new_state(st, p, g)
  st.square_avg = torch.zeros_like(p)
  if g.momentum > 0 then st.momentum_buffer = torch.zeros_like(p) end
  if g.centered then st.grad_avg = torch.zeros_like(p) end
end

--- rmsprop:step_group(group)
-- One RMSprop update of the parameters of one param group (opt:step()
-- calls it for each group, under no_grad).
function RMSprop:step_group(g)
  local lr, alpha, eps, momentum = g.lr, g.alpha, g.eps, g.momentum
  self:_each_grad(g, new_state, function(p, grad, st)
    local v = st.square_avg
    v:mul_(alpha):add_(grad * grad, {alpha = 1 - alpha})
    local avg
    if g.centered then
      st.grad_avg:mul_(alpha):add_(grad, {alpha = 1 - alpha})
      avg = v:sub(st.grad_avg * st.grad_avg):sqrt_()
    else
      avg = v:sqrt()
    end
    avg:add_(eps)
    if momentum > 0 then
      local buf = st.momentum_buffer
      buf:mul_(momentum):add_(grad / avg)
      p:add_(buf, {alpha = -lr})
    else
      p:add_(grad / avg, {alpha = -lr})
    end
  end)
end

return RMSprop
