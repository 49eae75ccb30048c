-- title: A wider hidden layer
-- lesson: mnist-mlp
-- hint: nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
-- hint: has 784*512 + 512 + 512*10 + 10 parameters.
--
-- Build `model` with ONE hidden layer of 512 units (Flatten, Linear 784->512,
-- ReLU, Linear 512->10), put its exact parameter count in `expected`, and
-- train it for two epochs on the bundled digits (the loop is given).
torch.manual_seed(0)
local train_set, test_set = data.datasets.MNIST{train = true}, data.datasets.MNIST{train = false}
local train_x, test_x = train_set.data:float():div(255), test_set.data:float():div(255)
local model, expected
-- BEGIN SOLUTION
--starter -- TODO: the model and its parameter count
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
expected = 784 * 512 + 512 + 512 * 10 + 10
-- END SOLUTION
check(model ~= nil, "build the model")
local counted = 0
for _, p in ipairs(model:parameters()) do counted = counted + p:numel() end
check(expected == 407050 and counted == expected, "784*512 + 512 + 512*10 + 10 = 407,050 parameters")
local loader = data.DataLoader(data.TensorDataset(train_x, train_set.targets), {batch_size = 64, shuffle = true})
local opt = optim.Adam(model:parameters(), {lr = 1e-3})
for _ = 1, 2 do
  for xb, yb in loader do
    local loss = F.cross_entropy(model(xb), yb)
    opt:zero_grad(); loss:backward(); opt:step()
  end
end
model:eval()
local acc = torch.no_grad(function() return model(test_x):argmax(2):eq(test_set.targets):float():mean():item() end)
check(acc > 0.88, string.format("the wider model should reach 88%% after two epochs, got %.1f%%", 100 * acc))
