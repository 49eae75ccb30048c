-- Benchmark 4: the linear-regression lesson's 100-epoch loop (two
-- nn.Parameters, MSELoss, SGD lr 0.01), timed inside the script.
package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local common = require "common"
torch.manual_seed(42)
local X = torch.arange(0, 1, 0.02):unsqueeze(2)
local y = X * 0.7 + 0.3
local Xtr, ytr = X:narrow(1, 1, 40), y:narrow(1, 1, 40)
local w = nn.Parameter(torch.randn(1))
local b = nn.Parameter(torch.randn(1))
local opt = optim.SGD({w, b}, {lr = 0.01})
local loss_fn = nn.MSELoss()
local t0 = common.now()
for _ = 1, 100 do
  opt:zero_grad()
  local loss = loss_fn(Xtr * w + b, ytr)
  loss:backward()
  opt:step()
end
common.report(common.now() - t0)
