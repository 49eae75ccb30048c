-- The training monitor's overhead (no PyTorch twin: ember's own tool):
-- STEPS batches of 64 of the MNISTClassifier with Adam, the same loop as
-- mnist_mlp.lua, with ember.monitor attached (and m:step() after each
-- optimizer step) when the second argument is "on", without it otherwise.
--   ember run bench/monitor.lua STEPS on|off
package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local common = require "common"
local steps, on = tonumber(arg[1]) or 300, arg[2] == "on"
local batch = 64
torch.manual_seed(0)
local x, y = common.digits()
local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
  nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
local opt = optim.Adam(model:parameters(), {lr = 1e-3})
local loss_fn = nn.CrossEntropyLoss()
local monitor = on and ember.monitor(model) or nil
local n = x:size(1)
local t0 = common.now()
for step = 0, steps - 1 do
  local start = (step * batch) % (n - batch + 1)
  local xb, yb = x:narrow(1, start + 1, batch), y:narrow(1, start + 1, batch)
  opt:zero_grad()
  local loss = loss_fn(model(xb), yb)
  loss:backward()
  opt:step()
  if monitor then monitor:step() end
end
common.report(common.now() - t0)
