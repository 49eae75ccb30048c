-- Optimizers beyond the PyTorch parity numbers (tests/peer): param groups
-- with their own hyper-parameters, zero_grad, a closure, frozen parameters,
-- StepLR, and bad arguments.
local T = require "ember.test"

local function param(values) return torch.tensor(values):requires_grad_() end

T.test("param groups keep their own learning rates", function()
  local a, b = param({1.0}), param({1.0})
  local opt = optim.SGD({{params = {a}}, {params = {b}, lr = 0.5}}, {lr = 0.1})
  a.grad, b.grad = torch.tensor({1.0}), torch.tensor({1.0})
  opt:step()
  T.close(a, {0.9}, {rtol = 1e-7})
  T.close(b, {0.5}, {rtol = 1e-7})
  local sd = opt:state_dict()
  T.eq(#sd.param_groups, 2)
  T.eq(table.concat(sd.param_groups[2].params, ","), "1")
end)

T.test("zero_grad clears gradients; parameters without one are skipped", function()
  local a, b = param({1.0, 2.0}), param({3.0})
  local opt = optim.Adam({a, b}, {lr = 0.1})
  a.grad = torch.tensor({1.0, 1.0})
  opt:step()
  T.close(b, {3.0})                                 -- no grad: untouched, no state
  T.eq(opt:state_dict().state[1], nil)
  opt:zero_grad()
  T.eq(a.grad, nil)
end)

T.test("step(closure) re-evaluates the loss with gradients on", function()
  local w = param({2.0})
  local opt = optim.SGD({w}, {lr = 0.25})
  local loss = opt:step(function()
    opt:zero_grad()
    local l = (w * w):sum()
    l:backward()
    return l
  end)
  T.close(loss, {4.0})
  T.close(w, {1.0})                                  -- 2 - 0.25 * 4
end)

T.test("StepLR multiplies the learning rate by gamma every step_size epochs", function()
  local opt = optim.SGD({param({1.0})}, {lr = 1.0})
  local sched = optim.lr_scheduler.StepLR(opt, {step_size = 2, gamma = 0.5})
  local seen = {}
  for i = 1, 5 do
    seen[i] = opt.param_groups[1].lr
    sched:step()
  end
  T.eq(table.concat(seen, ","), "1.0,1.0,0.5,0.5,0.25")
  T.eq(sched:get_last_lr()[1], 0.25)
  local again = optim.lr_scheduler.StepLR(optim.SGD({param({1.0})}, {lr = 1.0}), {step_size = 2, gamma = 0.5})
  again:load_state_dict(sched:state_dict())
  T.eq(again:get_last_lr()[1], 0.25)
end)

T.test("frozen parameters (requires_grad false) are not updated", function()
  local m = nn.Linear(2, 1)
  m.weight:requires_grad_(false)
  local before = m.weight:clone()
  local opt = optim.SGD(m:parameters(), {lr = 1.0})
  m(torch.ones(3, 2)):sum():backward()
  opt:step()
  T.close(m.weight, before, {rtol = 0, atol = 0})
  T.ok(m.bias.grad ~= nil)
end)

T.test("bad optimizer arguments are clear errors", function()
  T.error(function() optim.SGD({param({1.0})}, {}) end, "lr is required")
  T.error(function() optim.SGD({param({1.0})}, {lr = -1}) end, "Invalid learning rate")
  T.error(function() optim.Adam({param({1.0})}, {betas = {1.5, 0.9}}) end, "Invalid beta parameter")
  T.error(function() optim.SGD({param({1.0})}, {lr = 0.1, nesterov = true}) end, "Nesterov")
  T.error(function() optim.SGD(5, {lr = 0.1}) end, "params must be a list")
  T.error(function() optim.SGD({1, 2}, {lr = 0.1}) end, "not a tensor")
  T.error(function() optim.SGD({}, {lr = 0.1}) end, "empty parameter list")
  T.error(function() optim.SGD({torch.ones(2):requires_grad_() * 2}, {lr = 0.1}) end, "non-leaf")
end)

-- The fused Adam kernel (one pass, src/backend/cpu/cpu_optim.c) computes
-- the op-by-op formula of adam.lua with the same float operations: the two
-- paths must agree bit for bit, for Adam with L2 decay and for AdamW.
for _, case in ipairs({{"Adam", {lr = 1e-2, weight_decay = 0.1}}, {"AdamW", {lr = 1e-2}},
                       {"Adam", {lr = 1e-3}}}) do
  T.test("fused " .. case[1] .. " equals the op-by-op formula bit for bit", function()
    local function run(kernel)
      torch.manual_seed(3)
      local model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
      local opts = {}
      for k, v in pairs(case[2]) do opts[k] = v end
      local opt = optim[case[1]](model:parameters(), opts)
      opt._kernel = kernel            -- false: the op-by-op formula
      local x, y = torch.randn(9, 5), torch.randn(9, 2)
      for _ = 1, 6 do
        opt:zero_grad()
        F.mse_loss(model(x), y):backward()
        opt:step()
      end
      return model:parameters()
    end
    local a, b = run(nil), run(false)
    for i = 1, #a do
      T.eq((a[i] - b[i]):abs():max():item(), 0.0, "parameter " .. i)
    end
  end)
end

-- Plain SGD (no momentum) steps every parameter in one C call; the result
-- must equal the op-by-op path bit for bit, with weight decay, maximize,
-- float64, and a parameter the kernel cannot take (a non-contiguous one,
-- stepped op by op in the same step).
for _, case in ipairs({{lr = 0.1}, {lr = 0.05, weight_decay = 0.01}, {lr = 0.02, maximize = true},
                       {lr = 0.1, dtype = torch.float64}}) do
  T.test("fused SGD equals the op-by-op formula bit for bit " .. tostring(case.weight_decay or "") ..
         (case.maximize and " maximize" or "") .. (case.dtype and " float64" or ""), function()
    local function run(kernel)
      torch.manual_seed(5)
      local model = nn.Sequential(nn.Linear(5, 7), nn.Tanh(), nn.Linear(7, 2))
      if case.dtype then model:to(case.dtype) end
      local odd = nn.Parameter(torch.randn(4, 3, {dtype = case.dtype}):t())   -- not contiguous
      local params = model:parameters()
      params[#params + 1] = odd
      local opts = {}
      for k, v in pairs(case) do if k ~= "dtype" then opts[k] = v end end
      local opt = optim.SGD(params, opts)
      opt._kernel = kernel            -- false: the op-by-op formula
      local x, y = torch.randn(9, 5, {dtype = case.dtype}), torch.randn(9, 2, {dtype = case.dtype})
      for _ = 1, 5 do
        opt:zero_grad()
        local loss = F.mse_loss(model(x), y) + odd:sum() ^ 2
        loss:backward()
        opt:step()
      end
      return params
    end
    local a, b = run(nil), run(false)
    for i = 1, #a do
      T.eq((a[i] - b[i]):abs():max():item(), 0.0, "parameter " .. i)
    end
    T.ok(not a[#a]:is_contiguous(), "the odd parameter stays a view")
  end)
end

T.run()
