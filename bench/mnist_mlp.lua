-- Benchmark 1/2: one epoch (60,000 images: the bundled 8,000 digits cycled)
-- of the MNISTClassifier with Adam, training loop only.
--   ember run bench/mnist_mlp.lua BATCH
package.path = arg[0]:match("^(.*)/[^/]*$") .. "/?.lua;" .. package.path
local common = require "common"
local batch = tonumber(arg[1]) or 64
torch.manual_seed(0)
local x, y = common.digits()
local model = nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
  nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
local opt = optim.Adam(model:parameters(), {lr = 1e-3})
local loss_fn = nn.CrossEntropyLoss()
local n, steps = x:size(1), 60000 // batch
local t0 = common.now()
for step = 0, steps - 1 do
  local start = (step * batch) % (n - batch + 1)
  local xb, yb = x:narrow(1, start + 1, batch), y:narrow(1, start + 1, batch)
  opt:zero_grad()
  local loss = loss_fn(model(xb), yb)
  loss:backward()
  opt:step()
end
common.report(common.now() - t0)
