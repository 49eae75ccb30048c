-- torch.save(model, path) / torch.load(path): a whole model (architecture and
-- weights) round-trips to identical weights and outputs, for built-in layers,
-- nested Sequentials, custom classes and models changed after construction;
-- a file naming an unknown class, or holding bad architecture data, is refused
-- without running anything; what cannot be saved is named.
local T = require "ember.test"

local tmp = os.tmpname()
local function same_weights(a, b)
  local sa, sb = a:state_dict(), b:state_dict()
  T.eq(table.concat(sa:keys(), " "), table.concat(sb:keys(), " "))
  for _, k in ipairs(sa:keys()) do
    T.ok(sa[k]:size() == sb[k]:size() and (sa[k] - sb[k]):abs():max():item() == 0, "weights differ at " .. k)
  end
end
local function same_output(a, b, x)
  a:eval(); b:eval()
  local ya = torch.no_grad(function() return a(x) end)
  local yb = torch.no_grad(function() return b(x) end)
  T.eq((ya - yb):abs():max():item(), 0)
end

local MNISTClassifier = nn.Module:extend("TestMNISTClassifier")
function MNISTClassifier:__init(hidden, p)
  nn.Module.__init(self)
  self.fc1 = nn.Linear(784, hidden)
  self.fc2 = nn.Linear(hidden, 10)
  self.dropout = nn.Dropout(p)
end
function MNISTClassifier:forward(x)
  return self.fc2(self.dropout(F.relu(self.fc1(x:flatten(2)))))
end

T.test("a custom class with constructor arguments", function()
  local m = MNISTClassifier(64, 0.3)
  torch.save(m, tmp)
  local back = torch.load(tmp)
  T.eq(back:class_name(), "TestMNISTClassifier")
  T.ok(getmetatable(back) == getmetatable(m), "same class")
  T.eq(back.dropout.p, 0.3)
  same_weights(m, back)
  same_output(m, back, torch.randn(5, 1, 28, 28))
  T.eq(tostring(back), tostring(m))
end)

T.test("the seed CNN (a Sequential with BatchNorm buffers) in eval mode", function()
  local cnn = nn.Sequential(nn.Conv2d(1, 32, 3, {padding = 1}), nn.BatchNorm2d(32), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(32, 64, 3, {padding = 1}), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
    nn.Linear(3136, 256), nn.Dropout(0.5), nn.Linear(256, 10))
  cnn(torch.randn(4, 1, 28, 28))          -- running statistics move
  cnn:eval()
  torch.save(cnn, tmp)
  local back = torch.load(tmp)
  T.ok(not back.training and not back:at(2).training, "eval mode kept")
  same_weights(cnn, back)
  same_output(cnn, back, torch.randn(3, 1, 28, 28))
end)

T.test("changes after construction survive: replaced, appended and removed children, settings", function()
  local m = nn.Sequential(nn.Linear(4, 8), nn.ReLU())
  m:append(nn.Linear(8, 2))
  m:at(2).inplace = nil
  local net = MNISTClassifier(16, 0.1)
  net.fc2 = nn.Linear(16, 3)               -- replaced with another size
  net.dropout.p = 0.7                      -- a setting changed
  net.extra = m                            -- a child added later
  torch.save(net, tmp)
  local back = torch.load(tmp)
  T.eq(back.fc2.out_features, 3)
  T.eq(back.dropout.p, 0.7)
  T.eq(back.extra:len(), 3)
  same_weights(net, back)
  T.eq(tostring(back), tostring(net))
end)

T.test("an unknown class is refused, naming it; nothing runs", function()
  local Temp = nn.Module:extend("TestNeverRegisteredAgain")
  function Temp:__init() nn.Module.__init(self); self.fc = nn.Linear(2, 2) end
  torch.save(Temp(), tmp)
  -- the file now names a class this process forgets
  require("torch.nn.module").Module._registry["TestNeverRegisteredAgain"] = nil
  T.error(function() torch.load(tmp) end, "module class 'TestNeverRegisteredAgain', which is not registered")
end)

T.test("bad architecture data is an error, not a crash", function()
  local mf = require "torch.model_file"
  local good = mf.encode(nn.Linear(3, 2))
  local cases = {
    {function(v) v.format_version = 99 end, "format version 99"},
    {function(v) v.architecture = "x" end, "not a table"},
    {function(v) v.architecture.class = 5 end, "'class' should be a string"},
    {function(v) v.architecture.nargs = 1000 end, "bad argument count"},
    {function(v) v.architecture.args["1"] = -5 end, "rebuilding Linear failed"},
    {function(v) v.architecture.args["1"] = {__dtype__ = "evil"} end, "unknown dtype"},
    {function(v) v.state_dict = nil end, "no state_dict"},
    {function(v) v.architecture.args["1"] = 4 end, "do not fit"},
  }
  for _, c in ipairs(cases) do
    local v = mf.encode(nn.Linear(3, 2))
    c[1](v)
    torch.save(v, tmp)
    T.error(function() torch.load(tmp) end, c[2])
  end
  T.ok(mf.is_model_file(good))
end)

T.test("what a model file cannot hold is named", function()
  local Odd = nn.Module:extend("TestOddArgs")
  function Odd:__init(fn) nn.Module.__init(self); self.fn = fn end
  T.error(function() torch.save(Odd(print), tmp) end, "constructor argument 1 is a function")
  T.error(function() torch.save(Odd(torch.ones(2)), tmp) end, "constructor argument 1 is a tensor")
  local ok = pcall(torch.save, Odd({dtype = torch.float64, sizes = {1, 2}}), tmp)
  T.ok(ok, "dtypes and plain tables are fine")
  T.ok(torch.load(tmp).fn.dtype == torch.float64, "a dtype argument comes back")
end)

-- (torch 1.13's weights_only unpickler lacks BINFLOAT, so the plain load;
-- the file holds only dicts, lists, numbers, strings and tensors)
T.test("a whole-model file is plain data for PyTorch too", function()
  if not os.execute("/usr/bin/python3 -c 'import torch' 2>/dev/null") then return end
  torch.save(MNISTClassifier(8, 0.2), tmp)
  local cmd = "/usr/bin/python3 -c \"import torch, sys; d = torch.load(sys.argv[1]); " ..
    "assert d['format'] == 'ember.model' and d['architecture']['class'] == 'TestMNISTClassifier'; " ..
    "assert tuple(d['state_dict']['fc1.weight'].shape) == (8, 784)\" " .. tmp
  T.ok(os.execute(cmd), "PyTorch's torch.load")
end)

os.remove(tmp)
T.run()
