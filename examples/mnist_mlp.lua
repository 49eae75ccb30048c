-- Train the MNIST classifier (784-256-128-10 with ReLU and Dropout) with
-- Adam and cross-entropy, and print one line per epoch.
--   ember run examples/mnist_mlp.lua [epochs=10] [mnist|fashion] [seed=0]
-- Uses the bundled 8,000/2,000 real-MNIST digits, or full Fashion-MNIST when
-- Debian's dataset-fashion-mnist is installed (or EMBER_DATA points at it).
local progress = require "ember.progress"
local sys = require "ember.sys"

local epochs = tonumber(arg[1]) or 10
local which = arg[2] or "mnist"
torch.manual_seed(tonumber(arg[3]) or 0)

-- The model, as in the lesson: features, then a classifier head.
local MNISTClassifier = nn.Module:extend("MNISTClassifier")
function MNISTClassifier:__init()
  nn.Module.__init(self)
  self.features = nn.Sequential(
    nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2),
    nn.Linear(256, 128), nn.ReLU(), nn.Dropout(0.2))
  self.classifier = nn.Linear(128, 10)
end
function MNISTClassifier:forward(x) return self.classifier(self.features(x)) end

-- Data: uint8 images scaled to [0, 1] and flattened to 784 values.
local Dataset = which == "fashion" and data.datasets.FashionMNIST or data.datasets.MNIST
local train_set, test_set = Dataset{train = true}, Dataset{train = false}
local function as_inputs(ds) return ds.data:float():div(255):view(-1, 784) end
local train_x, test_x = as_inputs(train_set), as_inputs(test_set)
print(string.format("%s: %d training and %d test images (%s)", which, train_x:size(1), test_x:size(1),
  train_set.source))

local loader = data.DataLoader(data.TensorDataset(train_x, train_set.targets), {batch_size = 64, shuffle = true})
local model = MNISTClassifier()
local criterion = nn.CrossEntropyLoss()
local optimizer = optim.Adam(model:parameters(), {lr = 1e-3})

-- Accuracy in evaluation mode, without recording gradients.
local function accuracy(x, labels)
  model:eval()
  local correct = torch.no_grad(function() return model(x):argmax(2):eq(labels):sum():item() end)
  model:train()
  return 100 * correct / labels:size(1)
end

print(string.format("before training: test accuracy %.1f%%", accuracy(test_x, test_set.targets)))
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
  print(string.format("epoch %2d | loss %.4f | train acc %.2f%% | test acc %.2f%% | %.2fs", epoch,
    total_loss / batches, accuracy(train_x, train_set.targets), accuracy(test_x, test_set.targets),
    sys.time() - start))
end
