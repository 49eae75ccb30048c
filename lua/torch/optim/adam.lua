-- optim.Adam and optim.AdamW, step for step as PyTorch 1.13 (single-tensor
-- path):
--   t = t + 1;  g = grad (+ weight_decay * p for Adam)
--   m = beta1 * m + (1 - beta1) * g
--   v = beta2 * v + (1 - beta2) * g * g
--   p = p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
-- AdamW decays the weights directly first: p = p * (1 - lr * weight_decay).
-- State per parameter: step (a 0-dim float32 tensor, as PyTorch stores it),
-- exp_avg, exp_avg_sq (and max_exp_avg_sq with amsgrad).
local torch = require "torch"
local Optimizer = require "torch.optim.optimizer"
local core = require "torch.core"

-- The fused kernel computes the formula above with the same float
-- operations in one pass; it needs contiguous tensors of one dtype, and
-- leaves amsgrad (and opt._kernel = false, a test hook for stepping
-- through the formula) to the op-by-op path. (PyTorch's own fused = true
-- is a CUDA kernel: refused.)
local function fused_ok(self, g, p, grad, st)
  return self._kernel ~= false and not g.amsgrad and p:is_contiguous() and grad:is_contiguous()
    and st.exp_avg:is_contiguous() and st.exp_avg_sq:is_contiguous() and grad.dtype == p.dtype
end

-- Each class's hyper-parameters in PyTorch 1.13's order (its state_dict's
-- key order); AdamW is its own class there, with its own order and no
-- differentiable or fused.
local KEYS = {
  Adam = {{"lr", 1e-3}, {"betas", torch.tuple{0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 0},
    {"amsgrad", false}, {"maximize", false}, {"foreach", nil}, {"capturable", false},
    {"differentiable", false}, {"fused", false}},
  AdamW = {{"lr", 1e-3}, {"betas", torch.tuple{0.9, 0.999}}, {"eps", 1e-8}, {"weight_decay", 1e-2},
    {"amsgrad", false}, {"foreach", nil}, {"maximize", false}, {"capturable", false}},
}

local function define(name, decoupled)
  local cls = Optimizer.define(name, KEYS[name])
  cls._tensor_step = true

  function cls:_validate(g)
    local b = g.betas
    if type(g.lr) ~= "number" or not (g.lr >= 0) then error(name .. ": Invalid learning rate: " .. tostring(g.lr), 4) end
    if type(g.eps) ~= "number" or not (g.eps >= 0) then error(name .. ": Invalid epsilon value: " .. tostring(g.eps), 4) end
    if type(b) ~= "table" or not (b[1] >= 0 and b[1] < 1) then
      error(name .. ": Invalid beta parameter at index 0: " .. tostring(b and b[1]), 4)
    end
    if not (b[2] >= 0 and b[2] < 1) then error(name .. ": Invalid beta parameter at index 1: " .. tostring(b[2]), 4) end
    if g.weight_decay < 0 then error(name .. ": Invalid weight_decay value: " .. tostring(g.weight_decay), 4) end
    if getmetatable(b) == nil then g.betas = torch.tuple{b[1], b[2]} end
  end

  --- adam:step_group(group)
  -- One Adam (or AdamW) update of the parameters of one param group
  -- (opt:step() calls it for each group, under no_grad).
  function cls:step_group(g)
    local lr, eps, wd = g.lr, g.eps, g.weight_decay
    local beta1, beta2 = g.betas[1], g.betas[2]
    for _, p in ipairs(g.params) do
      local grad = p.grad
      if grad ~= nil then
        if g.maximize then grad = -grad end
        local st = self:_state(p)
        if st.step == nil then
          st.step = torch.tensor(0.0)
          st.exp_avg = torch.zeros_like(p)
          st.exp_avg_sq = torch.zeros_like(p)
          if g.amsgrad then st.max_exp_avg_sq = torch.zeros_like(p) end
        end
        st.step:add_(1)
        local t = st.step:item()
        if fused_ok(self, g, p, grad, st) then
          -- the same formula as below, in one pass over the data (src/backend/cpu/cpu_optim.c)
          core._adam_step_(p, grad, st.exp_avg, st.exp_avg_sq, {lr = lr, beta1 = beta1, beta2 = beta2,
            eps = eps, weight_decay = wd, step = t, decoupled = decoupled})
        else
          self:_step_one(p, grad, st, g, t)
        end
      end
    end
  end

  -- The Adam update of one parameter, op by op: the readable reference for
  -- the fused kernel (used when that does not apply: amsgrad, maximize,
  -- non-contiguous tensors).
  function cls:_step_one(p, grad, st, g, t)
        local lr, eps, wd = g.lr, g.eps, g.weight_decay
        local beta1, beta2 = g.betas[1], g.betas[2]
        if decoupled then
          p:mul_(1 - lr * wd)
        elseif wd ~= 0 then
          grad = grad:add(p, {alpha = wd})
        end
        st.exp_avg:mul_(beta1):add_(grad, {alpha = 1 - beta1})
        st.exp_avg_sq:mul_(beta2):add_(grad * grad, {alpha = 1 - beta2})
        local bias1, bias2 = 1 - beta1 ^ t, 1 - beta2 ^ t
        local step_size = lr / bias1
        local v = st.exp_avg_sq
        if g.amsgrad then
          st.max_exp_avg_sq:copy_(torch.maximum(st.max_exp_avg_sq, v))
          v = st.max_exp_avg_sq
        end
        local denom = (v:sqrt() / math.sqrt(bias2)):add_(eps)
        p:add_(st.exp_avg / denom, {alpha = -step_size})
  end

  return cls
end

--- optim.Adam(params[, {lr =, betas =, eps =, weight_decay =, amsgrad =}])
-- Adam: each parameter moves by lr * m / (sqrt(v) + eps), m and v running
-- averages of the gradient and its square (bias-corrected). Defaults:
-- lr = 1e-3, betas = {0.9, 0.999}, eps = 1e-8, weight_decay = 0 (added to
-- the gradient as L2; for decoupled decay use optim.AdamW), amsgrad = false.
-- Example: local opt = optim.Adam(model:parameters(), {lr = 1e-3})
local Adam = define("Adam", false)

--- optim.AdamW(params[, {lr = 1e-3, weight_decay = 0.01, betas =, eps =, ...}])
-- Adam with decoupled weight decay: before the Adam step each parameter
-- shrinks by p = p * (1 - lr * weight_decay). Same options as optim.Adam,
-- weight_decay defaulting to 0.01, as in PyTorch.
-- Example:
--   local opt = optim.AdamW(model:parameters(), {lr = 1e-3, weight_decay = 0.05})
local AdamW = define("AdamW", true)

return {Adam = Adam, AdamW = AdamW}
