-- nn.summary and model:info(): the true parameter counts (MNISTClassifier's
-- 235,146; a frozen layer split into trainable and not), each layer's output
-- shape for the seed CNN, the printed torchinfo-style lines, mult-adds and
-- sizes, and the model's state (training mode, the call hook) restored even
-- when the forward fails.
local T = require "ember.test"
local Module = require("torch.nn.module").Module

local MNISTClassifier = nn.Module:extend("SummaryMNISTClassifier")
function MNISTClassifier:__init()
  nn.Module.__init(self)
  self.flatten = nn.Flatten()
  self.fc1 = nn.Linear(784, 256)
  self.fc2 = nn.Linear(256, 128)
  self.fc3 = nn.Linear(128, 10)
  self.dropout = nn.Dropout(0.2)
end
function MNISTClassifier:forward(x)
  x = self.flatten(x)
  x = self.dropout(F.relu(self.fc1(x)))
  x = self.dropout(F.relu(self.fc2(x)))
  return self.fc3(x)
end

local function cnn()
  return nn.Sequential(nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(3136, 256), nn.Dropout(0.5), nn.Linear(256, 10))
end

local function lines(text)
  local out = {}
  for l in text:gmatch("[^\n]+") do out[#out + 1] = l end
  return out
end

T.test("MNISTClassifier: 235,146 parameters, rows, mult-adds, sizes", function()
  local s = nn.summary(MNISTClassifier(), {64, 784}, {verbose = 0})
  T.eq(s.total_params, 235146)
  T.eq(s.trainable_params, 235146)
  T.eq(s.non_trainable_params, 0)
  T.eq(s.total_mult_adds, 64 * (784 * 256 + 256 * 128 + 128 * 10))
  T.eq(s.params_bytes, 235146 * 4)
  T.eq(s.input_size_bytes, 64 * 784 * 4)
  -- leaf outputs: flatten 784, fc1 256, relu is functional, dropout 256 and 128, fc2 128, fc3 10
  T.eq(s.forward_backward_bytes, 64 * (784 + 256 + 256 + 128 + 128 + 10) * 4 * 2)
  local l = lines(s.text)
  T.eq(l[2], "Layer (type:depth-idx)                   Output Shape              Param #")
  T.eq(l[4], "SummaryMNISTClassifier                   [64, 10]                  --")
  T.eq(l[5], "├─Flatten: 1-1                           [64, 784]                 --")
  T.eq(l[6], "├─Linear: 1-2                            [64, 256]                 200,960")
  T.eq(l[7], "├─Dropout: 1-3                           [64, 256]                 --")
  local text = s.text
  T.ok(text:find("Total params: 235,146", 1, true), "total line")
  T.ok(text:find("Total mult-adds (M): 15.02", 1, true), "mult-adds line")
  T.ok(text:find("Params size (MB): 0.94", 1, true), "params size line")
  T.ok(tostring(s):find("ModelStatistics(total_params=235146", 1, true), "a short tostring for the REPL echo")
end)

T.test("a frozen layer: trainable and non-trainable, in the table and in info()", function()
  local m = MNISTClassifier()
  m.fc1:requires_grad_(false)
  local s = nn.summary(m, {2, 1, 28, 28}, {verbose = 0})
  T.eq(s.trainable_params, 256 * 128 + 128 + 128 * 10 + 10)
  T.eq(s.non_trainable_params, 784 * 256 + 256)
  T.ok(s.text:find("├─Linear: 1-2                            [2, 256]                  (200,960)", 1, true),
    "a frozen layer's count in parentheses")
  local info = m:info()
  T.eq(info.parameters, 235146)
  T.eq(info.trainable_parameters, 34186)
  T.eq(info.frozen_parameters, 200960)
end)

T.test("model:info() fields", function()
  local m = MNISTClassifier()
  m:eval()
  local info = m:info()
  T.eq(info.framework, "ember")
  T.eq(info.architecture, "SummaryMNISTClassifier")
  T.eq(info.num_layers, 5)                     -- flatten, fc1, fc2, fc3, dropout
  T.eq(table.concat(info.layer_types, " "), "Dropout Flatten Linear")
  T.eq(info.layer_counts.Linear, 3)
  T.eq(info.num_tensors, 6)
  T.eq(#info.tensor_shapes_sample, 5)
  T.eq(info.tensor_shapes_sample[1].name, "fc1.weight")
  T.eq(tostring(info.tensor_shapes_sample[1].shape), "torch.Size([256, 784])")
  T.eq(info.training_mode, false)
  T.eq(info.device, "cpu")
  T.eq(info.dtype, "float32")
  local c = cnn():info()
  T.eq(c.parameters, 824650)
  T.eq(c.num_tensors, 12 + 6)                  -- 12 parameters, 2 x 3 BatchNorm buffers
  T.eq(nn.ReLU():info().parameters, 0)
end)

T.test("the seed CNN: output shapes and counts per layer", function()
  local s = nn.summary(cnn(), {64, 1, 28, 28}, {verbose = 0})
  -- conv 32*1*9+32, bn 2*32, conv 64*32*9+64, bn 2*64, linear 3136*256+256, linear 256*10+10
  T.eq(s.total_params, 320 + 64 + 18496 + 128 + 803072 + 2570)
  local want = {{"Sequential", "[64, 10]"}, {"Conv2d", "[64, 32, 28, 28]"}, {"BatchNorm2d", "[64, 32, 28, 28]"},
    {"ReLU", "[64, 32, 28, 28]"}, {"MaxPool2d", "[64, 32, 14, 14]"}, {"Conv2d", "[64, 64, 14, 14]"},
    {"BatchNorm2d", "[64, 64, 14, 14]"}, {"ReLU", "[64, 64, 14, 14]"}, {"MaxPool2d", "[64, 64, 7, 7]"},
    {"Flatten", "[64, 3136]"}, {"Linear", "[64, 256]"}, {"Dropout", "[64, 256]"}, {"Linear", "[64, 10]"}}
  T.eq(#s.layers, #want)
  for i, w in ipairs(want) do
    T.eq(s.layers[i].class, w[1])
    T.eq("[" .. table.concat(s.layers[i].output_shape, ", ") .. "]", w[2])
  end
  T.eq(s.layers[2].params, 320)
  T.eq(s.layers[2].name, "0")
  T.eq(s.total_mult_adds, 64 * (28 * 28 * 32 * 9 + 14 * 14 * 64 * 32 * 9 + 3136 * 256 + 256 * 10))
end)

T.test("state restored when the forward fails; bad arguments", function()
  local Bad = nn.Module:extend("SummaryBad")
  function Bad:__init() nn.Module.__init(self); self.fc = nn.Linear(4, 2) end
  function Bad:forward(x) return self.fc(x):matmul(torch.ones(5, 5)) end
  local m = Bad()
  m:train()
  T.error(function() nn.summary(m, {3, 4}) end, "the forward pass failed")
  T.ok(m.training and m.fc.training, "training mode restored")
  T.ok(Module._call_hook == nil, "the call hook is cleared")
  T.error(function() nn.summary(m, {3, 0}) end, "input_size[2] must be a positive integer")
  T.error(function() nn.summary(m) end, "expected input_size")
  T.error(function() nn.summary({}, {1}) end, "expected a module")
  local ok = pcall(nn.summary, nn.Linear(4, 2), torch.zeros(3, 4), {verbose = 0})
  T.ok(ok, "an example tensor works as input")
end)

T.test("depth limits the rows shown; a row at the limit shows its whole count", function()
  local m = nn.Sequential(nn.Sequential(nn.Linear(2, 3), nn.ReLU()), nn.Linear(3, 1))
  local s = nn.summary(m, {1, 2}, {verbose = 0, depth = 1})
  T.ok(not s.text:find("└─Linear", 1, true), "depth-2 rows hidden")
  T.eq(#s.layers, 5)                        -- still counted
  local l = lines(s.text)
  T.eq(l[5], "├─Sequential: 1-1                        [1, 3]                    9")
  T.eq(l[6], "├─Linear: 1-2                            [1, 1]                    4")
  T.eq(s.total_params, 13)
  local full = lines(nn.summary(m, {1, 2}, {verbose = 0}).text)
  T.eq(full[5], "├─Sequential: 1-1                        [1, 3]                    --")
  T.eq(full[6], "│    └─Linear: 2-1                       [1, 3]                    9")
  T.eq(full[7], "│    └─ReLU: 2-2                         [1, 3]                    --")
end)

T.test("Param # rules: own parameters of a container, partly frozen, called twice", function()
  local Scaled = nn.Module:extend("SummaryScaled")
  function Scaled:__init()
    nn.Module.__init(self)
    self.scale = nn.Parameter(torch.ones(3))
    self.fc = nn.Linear(3, 3)
  end
  function Scaled:forward(x) return self.fc(self.fc(x)) * self.scale end
  local m = Scaled()
  m.fc.bias:requires_grad_(false)
  local s = nn.summary(m, {2, 3}, {verbose = 0})
  local l = lines(s.text)
  T.eq(l[4], "SummaryScaled                            [2, 3]                    3")  -- its own scale
  T.eq(l[5], "├─Linear: 1-1                            [2, 3]                    12") -- partly frozen: no ()
  T.eq(l[6], "├─Linear: 1-2                            [2, 3]                    (recursive)")
  T.eq(s.total_params, 15)                 -- the shared layer once
  T.eq(s.trainable_params, 12)
  T.eq(s.total_mult_adds, 2 * 2 * 9)       -- both calls count
  T.eq(#s.layers, 3)
end)

T.test("printed output, and each module's own training mode restored", function()
  local m = MNISTClassifier()
  m:train()
  m.dropout:eval()                          -- mixed modes survive the summary
  local printed = {}
  local real_print = print
  print = function(...) printed[#printed + 1] = table.concat({...}, "\t") end
  local ok, s = pcall(nn.summary, m, {64, 784})
  print = real_print
  T.ok(ok, tostring(s))
  T.eq(#printed, 1)
  T.eq(printed[1], s.text)
  local l = lines(printed[1])
  T.eq(l[1], string.rep("=", 80))
  T.eq(l[#l - 4], "Input size (MB): 0.20")
  T.eq(l[#l - 3], "Forward/backward pass size (MB): 0.80")   -- 64 * 1562 outputs * 4 bytes * 2
  T.eq(l[#l - 1], "Estimated Total Size (MB): 1.94")           -- 200,704 + 799,744 + 940,584 bytes
  T.ok(m.training and m.fc1.training, "training mode restored")
  T.ok(not m.dropout.training, "the module that was in eval mode stays in eval mode")
  local quiet = {}
  print = function(...) quiet[#quiet + 1] = ... end
  nn.summary(m, {1, 784}, {verbose = 0})
  print = real_print
  T.eq(#quiet, 0)
end)

T.test("dtype: float64 input and parameters", function()
  local m = nn.Linear(4, 2):double()
  local s = nn.summary(m, {3, 4}, {verbose = 0, dtype = torch.float64})
  T.eq(s.input_size_bytes, 3 * 4 * 8)
  T.eq(s.params_bytes, 10 * 8)
  T.eq(s.forward_backward_bytes, 3 * 2 * 8 * 2)
  T.eq(m:info().dtype, "float64")
  local t = nn.summary(m, torch.zeros(3, 4), {verbose = 0, dtype = torch.float64})
  T.eq(t.input_size_bytes, 3 * 4 * 8)
end)

T.run()
