-- Errors raised inside a module's forward name the layer (issue 24, item 6):
-- its path from the module the user called and its class with settings, the
-- shapes it got and what it expected, with the op's own message kept below;
-- told once however deep the module sits. And view/reshape's message in
-- PyTorch's words.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local MNISTClassifier = require("models").MNISTClassifier

local function err_of(fn)
  local ok, err = pcall(fn)
  T.ok(not ok, "expected an error")
  return err
end

local function has(err, text) T.ok(err:find(text, 1, true), "missing '" .. text .. "' in:\n" .. err) end

local function count(err, text)
  local n, i = 0, 1
  while true do
    local s = err:find(text, i, true)
    if not s then return n end
    n, i = n + 1, s + 1
  end
end

T.test("Linear deep in a model: path, class, got and expected, op message below", function()
  local model2 = MNISTClassifier()
  model2.classifier = nn.Linear(100, 10)      -- features give 128
  local err = err_of(function() local y = model2(torch.zeros(64, 784)); return y end)
  local first, rest = err:match("^([^\n]*)\n(.*)$")
  T.ok(first, "a first line and the op's message below:\n" .. err)
  has(first, "model2.classifier (Linear(in_features=100, out_features=10, bias=True)): got 64x128, expected last dim 100")
  T.ok(first:match("^[^:]*test_layer_errors%.lua:%d+: "), "the first line starts at the user's line: " .. first)
  has(rest, "linear: ")
  T.eq(count(err, "model2."), 1, "told once")
end)

T.test("the path starts at the module the user called", function()
  local model = MNISTClassifier()
  local err = err_of(function() local y = model(torch.zeros(8, 100)); return y end)
  has(err, "model.features.0 (Linear(in_features=784, out_features=256, bias=True)): got 8x100, expected last dim 784")
  local err2 = err_of(function() local y = model.features(torch.zeros(8, 100)); return y end)
  has(err2, ".0 (Linear(in_features=784")
  T.ok(not err2:find("features.features", 1, true), err2)
end)

T.test("the root is named by the variable holding it; 'model' when a tail call left no frame", function()
  local net = nn.Sequential(nn.Linear(4, 3), nn.ReLU(), nn.Linear(3, 2))
  local err = err_of(function() local y = net(torch.zeros(5, 6)); return y end)
  has(err, "net.0 (Linear(in_features=4, out_features=3, bias=True)): got 5x6, expected last dim 4")
  has(select(2, pcall(net, torch.zeros(5, 6))), "net.0 (Linear(")
  local tail = err_of(function() return net(torch.zeros(5, 6)) end)
  has(tail, "model.0 (Linear(in_features=4, out_features=3, bias=True)): got 5x6, expected last dim 4")
end)

T.test("Conv2d: channels and dims", function()
  local cnn = nn.Sequential(nn.Conv2d(3, 8, 3), nn.ReLU())
  local err = err_of(function() local y = cnn(torch.zeros(4, 1, 28, 28)); return y end)
  has(err, "cnn.0 (Conv2d(3, 8, kernel_size=(3, 3), stride=(1, 1))): got 4x1x28x28, expected 3 channels (in_channels) in dim 2")
  has(err, "conv2d: Given groups=1, weight of size [8, 3, 3, 3], expected input[4, 1, 28, 28] to have 3 channels, but got 1 channels instead")
  local err2 = err_of(function() local y = cnn(torch.zeros(4, 784)); return y end)
  has(err2, "got 4x784, expected a 4-D input (N, 3, H, W) or a 3-D one (3, H, W)")
end)

T.test("BatchNorm: features and dims", function()
  local m = nn.Sequential(nn.Linear(10, 32), nn.BatchNorm1d(16))
  local err = err_of(function() local y = m(torch.zeros(4, 10)); return y end)
  has(err, "m.1 (BatchNorm1d(16, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)): got 4x32, expected 16 features (num_features) in dim 2")
  local bn2 = nn.BatchNorm2d(8)
  local err2 = err_of(function() local y = bn2(torch.zeros(4, 8)); return y end)
  has(err2, "bn2 (BatchNorm2d(8,")
  has(err2, "got 4x8, expected a 4-D (N, C, H, W) input")
end)

T.test("CrossEntropyLoss: class indices or probabilities, and which one was meant", function()
  local criterion = nn.CrossEntropyLoss()
  local float_labels = err_of(function() local l = criterion(torch.zeros(4, 10), torch.zeros(4)); return l end)
  has(float_labels, "criterion (CrossEntropyLoss()): got 4x10 and 4, expected class indices as int64 (target:long()) for a target of shape 4; a float target is read as class probabilities and must have the input's shape 4x10")
  local wrong_n = err_of(function() local l = criterion(torch.zeros(4, 10), torch.zeros(5, {dtype = torch.int64})); return l end)
  has(wrong_n, "got 4x10 and 5 (int64), expected class indices (int64) of shape 4: one class number 0..9 per sample (or class probabilities: float, of the input's shape 4x10)")
  local probs = err_of(function() local l = criterion(torch.zeros(4, 10), torch.zeros(4, 3)); return l end)
  has(probs, "expected class indices (int64) of shape 4 or class probabilities (float) of shape 4x10")
  -- both forms that fit still work
  T.close(criterion(torch.zeros(4, 10), torch.zeros(4, {dtype = torch.int64})), torch.tensor(math.log(10)), {atol = 1e-5})
  T.close(criterion(torch.zeros(4, 10), torch.full({4, 10}, 0.1)), torch.tensor(math.log(10)), {atol = 1e-5})
end)

T.test("view and reshape: PyTorch's words", function()
  local x = torch.zeros(64, 49)
  has(err_of(function() return x:view(64, 784) end), "view: shape '[64, 784]' is invalid for input of size 3136")
  has(err_of(function() return x:reshape(-1, 785) end), "shape '[-1, 785]' is invalid for input of size 3136")
  local Flatten = nn.Module:extend("FlattenTo784")
  function Flatten:forward(t) return t:view(64, 784) end
  local m = nn.Sequential(Flatten(), nn.Linear(784, 10))
  local err = err_of(function() local y = m(x); return y end)
  has(err, "m.0 (FlattenTo784()): got 64x49\n")
  has(err, "view: shape '[64, 784]' is invalid for input of size 3136")
end)

T.test("an error object that is not a string passes unchanged; the model still works after", function()
  local Boom = nn.Module:extend("Boom")
  function Boom:forward() error({code = 7}) end
  local m = nn.Sequential(Boom())
  local ok, e = pcall(m, torch.zeros(1))
  T.ok(not ok and type(e) == "table" and e.code == 7, "the table error passes through")
  local lin = nn.Linear(2, 1)
  T.eq(tostring(lin(torch.zeros(3, 2)):size()), "torch.Size([3, 1])")
  -- and a later error is told again (nothing left over from the last one)
  local err = err_of(function() local y = lin(torch.zeros(3, 5)); return y end)
  has(err, "lin (Linear(in_features=2, out_features=1, bias=True)): got 3x5, expected last dim 2")
end)

T.test("nn.summary's forward names the layer too", function()
  local model = MNISTClassifier()
  local err = err_of(function() local s = nn.summary(model, {64, 100}); return s end)
  has(err, "nn.summary: the forward pass failed: ")
  has(err, "model.features.0 (Linear(in_features=784, out_features=256, bias=True)): got 64x100, expected last dim 784")
end)

T.run()
