-- Benchmark 3: the seed-lesson CNN, 200 batches of 64, training loop only.
package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local common = require "common"
local batches = tonumber(arg[1]) or 200
torch.manual_seed(0)
local x, y = common.digits()
local model = nn.Sequential(nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
  nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
  nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
local opt = optim.Adam(model:parameters(), {lr = 1e-3})
local n = x:size(1)
local t0 = common.now()
for step = 0, batches - 1 do
  local start = (step * 64) % (n - 63)
  opt:zero_grad()
  local loss = F.cross_entropy(model(x:narrow(1, start + 1, 64)), y:narrow(1, start + 1, 64))
  loss:backward()
  opt:step()
end
common.report(common.now() - t0)
