-- nn.Module and the layers: registration order, state_dict keys and values
-- against files written by real PyTorch (../shared/fixtures/pytorch/*.json),
-- _metadata, load_state_dict errors in PyTorch's wording, train/eval,
-- freezing, to(dtype), print(model).
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local json = require "json"

local FIXTURES = "../shared/fixtures/pytorch/"

local MNISTClassifier = require("models").MNISTClassifier

-- The Flyte tutorial's CNN: conv 3->6 k5, pool, conv 6->16 k5, fc 400-120-84-10.
local Net = nn.Module:extend("Net")
function Net:__init()
  nn.Module.__init(self)
  self.conv1 = nn.Conv2d(3, 6, 5)
  self.pool = nn.MaxPool2d(2, 2)
  self.conv2 = nn.Conv2d(6, 16, 5)
  self.fc1 = nn.Linear(16 * 5 * 5, 120)
  self.fc2 = nn.Linear(120, 84)
  self.fc3 = nn.Linear(84, 10)
end
function Net:forward(x)
  x = self.pool(self.conv1(x):relu())
  x = self.pool(self.conv2(x):relu())
  x = x:flatten(2)
  return self.fc3(self.fc2(self.fc1(x):relu()):relu())
end

local function keys_of(sd)
  local out = {}
  for k in pairs(sd) do out[#out + 1] = k end
  return out
end

local function fixture_tensors(name)
  return json.read(FIXTURES .. name .. ".json").tensors
end

T.test("MNISTClassifier state_dict keys and shapes equal PyTorch's (mlp_state.pt)", function()
  local sd = MNISTClassifier():state_dict()
  local want = fixture_tensors("mlp_state")
  local keys = keys_of(sd)
  T.eq(#keys, #want)
  for i, t in ipairs(want) do
    T.eq(keys[i], t.key, "key " .. i)
    T.eq(table.concat(sd[t.key]:size(), ","), table.concat(t.shape, ","), t.key)
    T.eq(tostring(sd[t.key].dtype), "torch." .. t.dtype)
  end
end)

T.test("state_dict _metadata has one entry per module with PyTorch's versions", function()
  local meta = MNISTClassifier():state_dict()._metadata
  T.eq(table.concat(meta:keys(), "|"),
       "|features|features.0|features.1|features.2|features.3|features.4|features.5|classifier")
  T.eq(meta[""].version, 1)
  local bn_meta = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)):state_dict()._metadata
  T.eq(bn_meta["1"].version, 2)
  T.eq(bn_meta["0"].version, 1)
end)

T.test("Linear(3,2) with seed 0 has PyTorch's initial values (linear_state.pt)", function()
  torch.manual_seed(0)
  local sd = nn.Linear(3, 2):state_dict()
  for _, t in ipairs(fixture_tensors("linear_state")) do
    T.close(sd[t.key], t.values, {rtol = 0, atol = 0, msg = t.key})
  end
end)

T.test("BatchNorm1d state and buffers match PyTorch (bn_state.pt)", function()
  local bn = nn.BatchNorm1d(3)
  local x = torch.tensor({{1.0, 2.0, 3.0}, {4.0, 0.0, -1.0}, {0.5, 0.5, 2.0}})
  bn(x); bn(x * 2)
  local sd = bn:state_dict()
  local want = fixture_tensors("bn_state")
  T.eq(table.concat(keys_of(sd), ","), "weight,bias,running_mean,running_var,num_batches_tracked")
  for i, t in ipairs(want) do
    T.eq(keys_of(sd)[i], t.key)
    T.eq(tostring(sd[t.key].dtype), "torch." .. t.dtype, t.key)
    T.eq(sd[t.key]:dim(), #t.shape, t.key)
  end
  T.eq(sd.num_batches_tracked:item(), 2)
end)

T.test("the Flyte CNN has PyTorch's parameter names and order", function()
  local names = {}
  for i, np in ipairs(Net():named_parameters()) do names[i] = np[1] .. ":" .. table.concat(np[2]:size(), "x") end
  T.eq(table.concat(names, " "), "conv1.weight:6x3x5x5 conv1.bias:6 conv2.weight:16x6x5x5 conv2.bias:16 " ..
    "fc1.weight:120x400 fc1.bias:120 fc2.weight:84x120 fc2.bias:84 fc3.weight:10x84 fc3.bias:10")
end)

T.test("parameters, buffers, children, modules in registration order", function()
  local m = MNISTClassifier()
  T.eq(#m:parameters(), 6)
  T.eq(#m:children(), 2)
  T.eq(#m:modules(), 9)
  T.ok(rawequal(m:parameters()[5], m.classifier.weight))
  local seq = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
  local bufs = {}
  for i, nb in ipairs(seq:named_buffers()) do bufs[i] = nb[1] end
  T.eq(table.concat(bufs, ","), "1.running_mean,1.running_var,1.num_batches_tracked")
  T.ok(rawequal(seq:at(2), seq["1"]))
end)

T.test("a shared module's parameters are listed once", function()
  local shared = nn.Linear(2, 2)
  local seq = nn.Sequential(shared, nn.ReLU(), shared)
  T.eq(#seq:parameters(), 2)
end)

T.test("train() and eval() set .training everywhere; Dropout differs", function()
  local m = MNISTClassifier()
  T.eq(m.training, true)
  m:eval()
  for _, sub in ipairs(m:modules()) do T.eq(sub.training, false) end
  local d = nn.Dropout(0.5)
  local x = torch.ones(1000)
  T.close(d:eval()(x), x)
  local y = d:train()(x)
  local zeros = y:eq(0):sum():item()
  T.ok(zeros > 400 and zeros < 600, "about half dropped: " .. zeros)
  T.close(y:sum(), 1000, {rtol = 0.15})          -- survivors scaled by 1/(1-p)
end)

T.test("BatchNorm uses batch statistics in training and running ones in eval", function()
  local bn = nn.BatchNorm1d(2)
  local x = torch.tensor({{1.0, 10.0}, {3.0, 30.0}})
  local y = bn(x)
  T.close(y, {{-1, -1}, {1, 1}}, {atol = 1e-3})
  T.close(bn.running_mean, {0.2, 2.0}, {atol = 1e-6})          -- 0.9*0 + 0.1*mean
  T.close(bn.running_var, {0.9 + 0.1 * 2, 0.9 + 0.1 * 200}, {atol = 1e-5})   -- unbiased var
  bn:eval()
  local z = bn(x)
  T.close(z[1][1]:item(), (1 - 0.2) / math.sqrt(1.1 + 1e-5), {rtol = 1e-5})
end)

T.test("zero_grad and requires_grad_(false) freeze parameters", function()
  local m = nn.Linear(3, 2)
  m(torch.ones(4, 3)):sum():backward()
  T.ok(m.weight.grad ~= nil)
  m:zero_grad()
  T.eq(m.weight.grad, nil)
  m:requires_grad_(false)
  T.eq(m.weight.requires_grad, false)
  local out = m(torch.ones(1, 3))
  T.eq(out.requires_grad, false)
end)

T.test("to(dtype) converts in place and keeps the same parameter objects", function()
  local m = nn.Linear(3, 2)
  local w = m.weight
  m:to(torch.float64)
  T.ok(rawequal(m.weight, w))
  T.eq(tostring(w.dtype), "torch.float64")
  T.eq(m(torch.ones(1, 3, {dtype = torch.float64})).dtype, torch.float64)
  m:float()
  T.eq(w.dtype, torch.float32)
end)

T.test("load_state_dict copies values and reports problems in PyTorch's words", function()
  local a, b = MNISTClassifier(), MNISTClassifier()
  b:load_state_dict(a:state_dict())
  T.close(b.classifier.weight, a.classifier.weight, {rtol = 0, atol = 0})

  local sd = a:state_dict()
  sd["classifier.bias"] = nil
  local err = T.error(function() b:load_state_dict(sd) end)
  T.ok(err:find('Error(s) in loading state_dict for MNISTClassifier:\n\tMissing key(s) in state_dict: "classifier.bias". ',
    1, true), err)

  sd = a:state_dict()
  sd["head.weight"] = torch.zeros(2)
  err = T.error(function() b:load_state_dict(sd) end)
  T.ok(err:find('Unexpected key(s) in state_dict: "head.weight". ', 1, true), err)

  sd = a:state_dict()
  sd["classifier.weight"] = torch.zeros(10, 127)
  err = T.error(function() b:load_state_dict(sd) end)
  T.ok(err:find("size mismatch for classifier.weight: copying a param with shape torch.Size([10, 127]) from " ..
    "checkpoint, the shape in current model is torch.Size([10, 128]).", 1, true), err)

  sd = a:state_dict()
  sd["classifier.bias"] = nil
  sd["head.weight"] = torch.zeros(2)
  local r = b:load_state_dict(sd, {strict = false})
  T.eq(table.concat(r.missing_keys, ","), "classifier.bias")
  T.eq(table.concat(r.unexpected_keys, ","), "head.weight")
  sd["classifier.weight"] = torch.zeros(3)
  T.error(function() b:load_state_dict(sd, {strict = false}) end, "size mismatch")   -- even when not strict
end)

T.test("print(model) shows the module tree as PyTorch does", function()
  T.eq(tostring(MNISTClassifier()), table.concat({
    "MNISTClassifier(",
    "  (features): Sequential(",
    "    (0): Linear(in_features=784, out_features=256, bias=True)",
    "    (1): ReLU()",
    "    (2): Dropout(p=0.2, inplace=False)",
    "    (3): Linear(in_features=256, out_features=128, bias=True)",
    "    (4): ReLU()",
    "    (5): Dropout(p=0.2, inplace=False)",
    "  )",
    "  (classifier): Linear(in_features=128, out_features=10, bias=True)",
    ")"}, "\n"))
  T.eq(tostring(nn.Conv2d(1, 32, 3, {padding = 1})), "Conv2d(1, 32, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))")
  T.eq(tostring(nn.BatchNorm2d(32)), "BatchNorm2d(32, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True)")
  T.eq(tostring(nn.MaxPool2d(2)), "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)")
end)

T.test("forward through layers gives the right shapes", function()
  local x = torch.randn(4, 784)
  T.eq(tostring(MNISTClassifier()(x):size()), "torch.Size([4, 10])")
  T.eq(tostring(Net()(torch.randn(2, 3, 32, 32)):size()), "torch.Size([2, 10])")
  local cnn = nn.Sequential(nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(3136, 256), nn.ReLU(), nn.Dropout(0.5), nn.Linear(256, 10))
  T.eq(tostring(cnn(torch.randn(2, 1, 28, 28)):size()), "torch.Size([2, 10])")
end)

T.test("bad inputs to layers are clear errors", function()
  T.error(function() nn.Linear(784, 10)(torch.ones(2, 100)) end, "got 2x100, expected last dim 784")
  T.error(function() nn.Linear(0, 10) end, "in_features must be a positive integer")
  T.error(function() nn.Dropout(1.5) end, "between 0 and 1")
  T.error(function() nn.Sequential(nn.ReLU(), 3) end, "argument 2 is a number")
  T.error(function() nn.BatchNorm2d(3)(torch.ones(2, 3)) end, "expected 4-D input")
  T.error(function() MNISTClassifier():load_state_dict(42) end, "dict-like")
  local Bad = nn.Module:extend("Bad")
  function Bad:__init() end
  T.error(function() Bad() end, "must call nn.Module.__init(self)")
end)

T.run()
