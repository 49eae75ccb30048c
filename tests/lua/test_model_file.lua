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

local mf_encode = require("torch.model_file").encode

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

-- Crafted files: a few hundred bytes whose architecture declares layers far
-- larger than the weights they hold. Loading must refuse them before
-- allocating. (A budget is set meanwhile, so that code without the check
-- fails with a budget error instead of allocating gigabytes.)
local budget = require "ember.budget"
local function crafted(arch, sd)
  local v = mf_encode(nn.Linear(1, 1))
  v.architecture = arch
  v.state_dict = sd or torch.OrderedDict()
  torch.save(v, tmp)
end
local function linear_spec(i, o)
  return {class = "Linear", nargs = 2, args = {["1"] = i, ["2"] = o}, attributes = {}, training = true,
          children = {}}
end

T.test("declared sizes beyond the stored weights are refused before anything is allocated", function()
  local before = budget.set(2 * 2^30)
  local ok, err = pcall(function()
    -- 1. Linear(30000, 30000): 3.6 GB of float32 from a file of a few hundred bytes
    crafted(linear_spec(30000, 30000))
    T.ok(#io.open(tmp, "rb"):read("a") < 2000, "the crafted file is small")
    local peak0 = torch.max_memory_allocated()
    local e = T.error(function() torch.load(tmp) end, "declares more memory than the file's weights hold")
    T.ok(e:find("Linear(30000, 30000)", 1, true), e)
    T.ok(e:find("model", 1, true), e)
    T.ok(torch.max_memory_allocated() - peak0 < 64 * 2^20, "nothing big was allocated")
    -- 2. the same with a stored weight of another shape
    crafted(linear_spec(30000, 30000), torch.OrderedDict{{"weight", torch.zeros(2, 3)}, {"bias", torch.zeros(2)}})
    T.error(function() torch.load(tmp) end, "declares more memory than the file's weights hold")
    -- 3. deep inside: a Sequential's child, the file's weights for a small model
    local seq = mf_encode(nn.Sequential(nn.Linear(4, 3), nn.ReLU()))
    seq.architecture.children[1][2].args["1"] = 100000000
    torch.save(seq, tmp)
    e = T.error(function() torch.load(tmp) end, "declares more memory than the file's weights hold")
    T.ok(e:find("model.0", 1, true), "names the module: " .. e)
    -- 4. a custom class's constructor argument
    local net = mf_encode(MNISTClassifier(8, 0.1))
    net.architecture.args["1"] = 10000000
    torch.save(net, tmp)
    T.error(function() torch.load(tmp) end, "declares more memory than the file's weights hold")
    -- a small mismatch is built (within the weights' size) and refused by the strict load
    crafted(linear_spec(3, 2), torch.OrderedDict{{"weight", torch.zeros(2, 4)}, {"bias", torch.zeros(2)}})
    T.error(function() torch.load(tmp) end, "do not fit")
  end)
  local during = budget.set(before)
  assert(ok, err)
  T.eq(during, 2 * 2^30, "the budget is restored after each load")
end)

T.test("an architecture whose entries are shared (a DAG) cannot multiply into 2^depth modules", function()
  -- torch.load copies shared pickle objects (and caps the copies), so this
  -- can only reach decode directly; 30 levels would be 2^30 modules
  local mf = require "torch.model_file"
  local spec = {class = "ReLU", nargs = 0, args = {}, attributes = {}, training = true, children = {}}
  for _ = 1, 30 do
    spec = {class = "Sequential", nargs = 0, args = {}, attributes = {}, training = true,
            children = {{"0", spec}, {"1", spec}}}
  end
  local v = mf_encode(nn.ReLU())
  v.architecture = spec
  v.state_dict = torch.OrderedDict()
  T.error(function() mf.decode(v) end, "the same entry appears twice in the architecture")
end)

T.test("the memory budget still applies, and is restored after a load, good or bad", function()
  local m = nn.Linear(512, 512)
  torch.save(m, tmp)
  local before = budget.get()
  local back = torch.load(tmp)
  T.eq(budget.get(), before)
  T.eq(back.weight:size(), m.weight:size())
  -- a budget smaller than the model: the budget's own error, named
  budget.set(torch.memory_allocated() + budget.lua_bytes() + 256 * 1024)
  local ok, err = pcall(torch.load, tmp)
  budget.set(before)
  T.ok(not ok and tostring(err):find("memory budget", 1, true), tostring(err))
end)

T.test("child names PyTorch refuses are refused in a file, with PyTorch's message and the path", function()
  local cases = {
    {"forward", "attribute 'forward' already exists"},
    {"a.b", 'module name can\'t contain ".", got: a.b'},
    {"", 'module name can\'t be empty string ""'},
    {"_modules", "attribute '_modules' already exists"},
    {"training", "attribute 'training' already exists"},
  }
  for _, c in ipairs(cases) do
    local v = mf_encode(nn.Sequential(nn.Linear(2, 2)))
    v.architecture.children[1][1] = c[1]
    torch.save(v, tmp)
    local err = T.error(function() torch.load(tmp) end, c[2])
    T.ok(err:find("torch.load: " .. tmp .. ": model: child", 1, true), "names the file and the child: " .. err)
    T.ok(not err:find("model_file.lua", 1, true), "no internal position: " .. err)
  end
end)

os.remove(tmp)
T.run()
