-- train.lua — a small linear regression (nn.Linear, SGD with momentum, MSE)
-- that test_module.sh runs twice: under `ember run` and under stock lua5.4
-- with `require "torch"` from torch.so. It prints every loss and the final
-- parameters in full precision; the two outputs must be identical.
local torch = require "torch"
local nn, optim = torch.nn, torch.optim

torch.manual_seed(0)
local x = torch.randn(64, 3)
local true_w = torch.tensor({{1.5}, {-2.0}, {0.5}})
local y = x:matmul(true_w) + 0.25 + torch.randn(64, 1) * 0.1

local model = nn.Linear(3, 1)
local opt = optim.SGD(model:parameters(), {lr = 0.05, momentum = 0.9})
local loss_fn = nn.MSELoss()

local losses = {}
for step = 1, 30 do
  opt:zero_grad()
  local loss = loss_fn(model(x), y)
  loss:backward()
  opt:step()
  losses[step] = loss:item()
  io.write(string.format("step %d loss %.17g\n", step, losses[step]))
end
assert(losses[30] < losses[1] / 10, "the loss did not decrease: " .. losses[1] .. " -> " .. losses[30])
for _, p in ipairs(model:parameters()) do
  for _, v in ipairs(p:detach():reshape(-1):tolist()) do io.write(string.format("%.17g\n", v)) end
end
io.write(tostring(model.weight), "\n")
