-- End-to-end parity with real PyTorch 1.13 (data from make_e2e_reference.py):
-- the linear-regression workflow gives the same losses at every epoch
-- (1e-6 relative) and the same learned weight and bias to 6 digits; the MNIST
-- classifier (dropout off) gives the same loss at each of 200 SGD and Adam
-- steps within 1e-4 relative. Same seeds, same initialisation, same data.
local T = require "ember.test"
local ref = dofile(arg[1])

T.test("linear regression: losses at every epoch and the learned parameters", function()
  torch.manual_seed(42)
  local X = torch.arange(0, 1, 0.02):unsqueeze(2)
  local y = X * 0.7 + 0.3
  local n = X:size(1)
  local n_train = math.floor(0.7 * n)
  local n_val = math.floor(0.85 * n) - n_train
  local Xt, yt = X:narrow(1, 1, n_train), y:narrow(1, 1, n_train)
  local Xv, yv = X:narrow(1, n_train + 1, n_val), y:narrow(1, n_train + 1, n_val)

  local Model = nn.Module:extend("LinearRegressionModel")
  function Model:__init()
    nn.Module.__init(self)
    self.weights = nn.Parameter(torch.randn(1))
    self.bias = nn.Parameter(torch.randn(1))
  end
  function Model:forward(x) return self.weights * x + self.bias end

  local model = Model()
  local loss_fn = nn.MSELoss()
  local opt = optim.SGD(model:parameters(), {lr = 0.01})
  for epoch = 1, 100 do
    model:train()
    local loss = loss_fn(model(Xt), yt)
    opt:zero_grad()
    loss:backward()
    opt:step()
    model:eval()
    local val = torch.no_grad(function() return loss_fn(model(Xv), yv) end)
    T.close(loss:item(), ref.linreg.train[epoch], {rtol = 1e-6, msg = "train loss, epoch " .. epoch})
    T.close(val:item(), ref.linreg.val[epoch], {rtol = 1e-6, msg = "val loss, epoch " .. epoch})
  end
  T.eq(string.format("%.6f", model.weights:item()), string.format("%.6f", ref.linreg.weight))
  T.eq(string.format("%.6f", model.bias:item()), string.format("%.6f", ref.linreg.bias))
end)

local ds = data.datasets.MNIST{train = true}
local images, labels = ds.data:float():div(255):view(-1, 784), ds.targets

local function mnist_run(make_optimizer, expected, name)
  torch.manual_seed(0)
  local model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.0),
                              nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.0), nn.Linear(128, 10))
  local opt = make_optimizer(model:parameters())
  local worst = 0
  for step = 0, 199 do
    local start = (step * 64) % (images:size(1) - 64)
    local x, y = images:narrow(1, start + 1, 64), labels:narrow(1, start + 1, 64)
    opt:zero_grad()
    local loss = F.cross_entropy(model(x), y)
    loss:backward()
    opt:step()
    local want = expected[step + 1]
    worst = math.max(worst, math.abs(loss:item() - want) / math.abs(want))
    T.close(loss:item(), want, {rtol = 1e-4, msg = name .. " step " .. (step + 1)})
  end
  print(string.format("%s: largest relative loss difference over 200 steps %.2e", name, worst))
end

T.test("MNIST classifier, SGD with momentum: 200 losses", function()
  mnist_run(function(p) return optim.SGD(p, {lr = 0.05, momentum = 0.9}) end, ref.mnist_sgd, "SGD")
end)

T.test("MNIST classifier, Adam: 200 losses", function()
  mnist_run(function(p) return optim.Adam(p, {lr = 1e-3}) end, ref.mnist_adam, "Adam")
end)

T.run()
