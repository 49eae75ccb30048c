-- optim.Adagrad — step for step as PyTorch 1.13's single-tensor Adagrad:
--   t = t + 1;  g = grad (negated with maximize) (+ weight_decay * p)
--   clr = lr / (1 + (t - 1) * lr_decay)
--   sum = sum + g * g
--   p = p - clr * g / (sqrt(sum) + eps)
-- State per parameter, made by the constructor as PyTorch's: step (a 0-dim
-- float32 tensor) and sum (filled with initial_accumulator_value).
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local check = require "torch.optim.check"

--- optim.Adagrad(params[, {lr = 0.01, lr_decay = 0, weight_decay = 0, initial_accumulator_value = 0, eps = 1e-10}])
-- Scales each parameter's step by the root of its summed squared
-- gradients: sum = sum + g^2, p = p - clr * g / (sqrt(sum) + eps), with
-- clr = lr / (1 + (t - 1) * lr_decay). Also maximize = false.
-- Example: local opt = optim.Adagrad(model:parameters(), {lr = 0.1})
local Adagrad = Optimizer.define("Adagrad", {
  {"lr", 1e-2}, {"lr_decay", 0}, {"eps", 1e-10}, {"weight_decay", 0}, {"initial_accumulator_value", 0},
  {"foreach", nil}, {"maximize", false},
})
Adagrad._tensor_step = true

function Adagrad:_validate(g)
  check.range("Adagrad", g, "lr", "learning rate", 0)
  check.range("Adagrad", g, "lr_decay", "lr_decay value", 0)
  check.range("Adagrad", g, "weight_decay", "weight_decay value", 0)
  check.range("Adagrad", g, "initial_accumulator_value", "initial_accumulator_value value", 0)
  check.range("Adagrad", g, "eps", "epsilon value", 0)
end

-- Adagrad's state after step (PyTorch's key order)
local function new_state(st, p, g)
  st.sum = torch.full_like(p, g.initial_accumulator_value)
end

function Adagrad:_constructed()
  for _, g in ipairs(self.param_groups) do
    for _, p in ipairs(g.params) do self:_new_state(p, g, new_state) end
  end
end

--- adagrad:step_group(group)
-- One Adagrad update of the parameters of one param group (opt:step()
-- calls it for each group, under no_grad); a group added later gets its
-- state on its first step.
function Adagrad:step_group(g)
  local lr, eps = g.lr, g.eps
  self:_each_grad(g, new_state, function(p, grad, st, t)
    local clr = lr / (1 + (t - 1) * g.lr_decay)
    st.sum:add_(grad * grad)
    local std = st.sum:sqrt():add_(eps)
    p:add_(grad / std, {alpha = -clr})
  end)
end

return Adagrad
