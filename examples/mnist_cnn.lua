-- The seed lesson's CNN on (Fashion-)MNIST: two conv blocks (Conv, BatchNorm,
-- ReLU, MaxPool), then Linear 3136->256, Dropout 0.5, Linear 256->10.
--   ember run examples/mnist_cnn.lua [epochs=1] [fashion|mnist] [seed=0]
local progress = require "ember.progress"
local sys = require "ember.sys"

local epochs = tonumber(arg[1]) or 1
local which = arg[2] or "fashion"
torch.manual_seed(tonumber(arg[3]) or 0)

local model = nn.Sequential(
  nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),    -- 32 x 14 x 14
  nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2),   -- 64 x 7 x 7
  nn.Flatten(),
  nn.Linear(64 * 7 * 7, 256), nn.ReLU(), nn.Dropout(0.5),
  nn.Linear(256, 10))
print(model)

local Dataset = which == "fashion" and data.datasets.FashionMNIST or data.datasets.MNIST
local train_set, test_set = Dataset{train = true}, Dataset{train = false}
local function as_images(ds) return ds.data:float():div(255):unsqueeze(2) end    -- N x 1 x 28 x 28
local train_x, test_x = as_images(train_set), as_images(test_set)
print(string.format("%s: %d training and %d test images (%s)", which, train_x:size(1), test_x:size(1),
  train_set.source))

local loader = data.DataLoader(data.TensorDataset(train_x, train_set.targets), {batch_size = 64, shuffle = true})
local criterion = nn.CrossEntropyLoss()
local optimizer = optim.Adam(model:parameters(), {lr = 1e-3})

-- Test accuracy in eval mode (BatchNorm uses running statistics, Dropout is off).
local function accuracy(x, labels)
  model:eval()
  local correct = 0
  torch.no_grad(function()
    for i = 1, x:size(1), 1000 do
      local n = math.min(1000, x:size(1) - i + 1)
      correct = correct + model(x:narrow(1, i, n)):argmax(2):eq(labels:narrow(1, i, n)):sum():item()
    end
  end)
  model:train()
  return 100 * correct / labels:size(1)
end

for epoch = 1, epochs do
  local bar = progress.new(#loader, string.format("epoch %d/%d", epoch, epochs))
  local start, total_loss, batches = sys.time(), 0, 0
  for images, labels in loader do
    optimizer:zero_grad()
    local loss = criterion(model(images), labels)
    loss:backward()
    optimizer:step()
    total_loss, batches = total_loss + loss:item(), batches + 1
    bar:update(batches, string.format("loss %.4f", loss:item()))
  end
  bar:done()
  print(string.format("epoch %2d | loss %.4f | test acc %.2f%% | %.1fs", epoch, total_loss / batches,
    accuracy(test_x, test_set.targets), sys.time() - start))
end
