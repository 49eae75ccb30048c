-- optim.Adadelta — step for step as PyTorch 1.13's single-tensor Adadelta:
--   g = grad (negated with maximize) (+ weight_decay * p)
--   v = rho * v + (1 - rho) * g * g
--   delta = sqrt(u + eps) / sqrt(v + eps) * g
--   u = rho * u + (1 - rho) * delta * delta
--   p = p - lr * delta
-- State per parameter: step (a Python int, as 1.13 keeps it), square_avg
-- (v), acc_delta (u).
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.Adadelta(params[, {lr = 1.0, rho = 0.9, eps = 1e-6, weight_decay = 0}])
-- Steps by sqrt(u + eps) / sqrt(v + eps) * g, v and u running averages of
-- the squared gradients and squared steps (no learning rate to tune; lr
-- scales the step). Also maximize = false.
-- Example: local opt = optim.Adadelta(model:parameters())
local Adadelta = Optimizer.define("Adadelta", {
  {"lr", 1.0}, {"rho", 0.9}, {"eps", 1e-6}, {"weight_decay", 0}, {"maximize", false}, {"foreach", nil},
})

function Adadelta:_validate(g)
  check.range("Adadelta", g, "lr", "learning rate", 0)
  if type(g.rho) ~= "number" or not (g.rho >= 0 and g.rho <= 1) then
    error("Adadelta: Invalid rho value: " .. tostring(g.rho), 4)
  end
  check.range("Adadelta", g, "eps", "epsilon value", 0)
  check.range("Adadelta", g, "weight_decay", "weight_decay value", 0)
end

-- Adadelta's state after step (PyTorch's key order)
local function new_state(st, p)
  st.square_avg = torch.zeros_like(p)
  st.acc_delta = torch.zeros_like(p)
end

--- adadelta:step_group(group)
-- One Adadelta update of the parameters of one param group (opt:step()
-- calls it for each group, under no_grad).
function Adadelta:step_group(g)
  local lr, rho, eps = g.lr, g.rho, g.eps
  self:_each_grad(g, new_state, function(p, grad, st)
    st.square_avg:mul_(rho):add_(grad * grad, {alpha = 1 - rho})
    local std = st.square_avg:add(eps):sqrt_()
    local delta = st.acc_delta:add(eps):sqrt_():div_(std):mul_(grad)
    st.acc_delta:mul_(rho):add_(delta * delta, {alpha = 1 - rho})
    p:add_(delta, {alpha = -lr})
  end)
end

return Adadelta
