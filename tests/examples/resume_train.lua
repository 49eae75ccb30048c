-- Training that can stop and resume, for tests/examples/test_resume.sh:
--   ember run resume_train.lua linreg|mnist straight N
--   ember run resume_train.lua linreg|mnist first K CHECKPOINT
--   ember run resume_train.lua linreg|mnist resume N CHECKPOINT
-- prints one line per step with the loss in hex (%a, exact) and, at the end,
-- a digest of every parameter's bits, so runs can be compared bit for bit.
local ckpt = require "torch.checkpoint"

local which, mode, count, path = arg[1], arg[2], tonumber(arg[3]), arg[4]
torch.manual_seed(0)

local model, loss_fn, loader, opt
if which == "linreg" then
  local X = torch.arange(0, 1, 0.02):unsqueeze(2)
  local y = X * 0.7 + 0.3
  model = nn.Linear(1, 1)
  loss_fn = nn.MSELoss()
  loader = data.DataLoader(data.TensorDataset(X, y), {batch_size = 50})
  opt = optim.SGD(model:parameters(), {lr = 0.01})
else
  local ds = data.datasets.MNIST{train = true}
  local x = ds.data:narrow(1, 1, 1000):float():div(255):view(-1, 784)
  model = nn.Sequential(nn.Linear(784, 64), nn.ReLU(), nn.Dropout(0.2), nn.Linear(64, 10))
  loss_fn = nn.CrossEntropyLoss()
  loader = data.DataLoader(data.TensorDataset(x, ds.targets:narrow(1, 1, 1000)), {batch_size = 64, shuffle = true})
  opt = optim.Adam(model:parameters(), {lr = 1e-3})
end

local step = 0
if mode == "resume" then step = ckpt.load(path, {model = model, optimizer = opt, loader = loader}).step end
local last = mode == "first" and count or step + count

while step < last do
  for xb, yb in loader do
    opt:zero_grad()
    local loss = loss_fn(model(xb), yb)
    loss:backward()
    opt:step()
    step = step + 1
    print(string.format("step %d loss %a", step, loss:item()))
    if step == last then break end
  end
end

if mode == "first" then ckpt.save(path, {model = model, optimizer = opt, loader = loader, step = step}) end

-- FNV-1a over the parameters' float32 bits
local h = 2166136261
for _, p in ipairs(model:parameters()) do
  for _, v in ipairs(p:detach():reshape(-1):tolist()) do
    for c in string.pack("<f", v):gmatch(".") do h = ((h ~ c:byte()) * 16777619) & 0xffffffff end
  end
end
print(string.format("digest %08x", h))
