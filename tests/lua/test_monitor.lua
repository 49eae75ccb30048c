-- ember.monitor: a planted dead-ReLU network and a planted exploding-gradient
-- network are flagged, a learning rate far too large or too small is
-- flagged, a healthy MNISTClassifier run (a few hundred bundled digits) is
-- not; what it records; removal leaves no hook behind; options are checked;
-- the report and the plot draw.
package.path = "tests/lua/lib/?.lua;" .. package.path
local T = require "ember.test"
local MNISTClassifier = require("models").MNISTClassifier

local function kinds(found)
  local out = {}
  for _, f in ipairs(found) do out[#out + 1] = f.kind .. "@" .. tostring(f.layer) end
  return table.concat(out, " ")
end

local function has(found, kind, layer)
  for _, f in ipairs(found) do
    if f.kind == kind and (layer == nil or f.layer == layer) then return f end
  end
  return nil
end

-- n steps of regression on random data; returns the monitor
local function train(model, opt, steps, x, y)
  local m = ember.monitor(model)
  for _ = 1, steps do
    local loss = F.mse_loss(model(x), y)
    opt:zero_grad(); loss:backward(); opt:step(); m:step()
  end
  return m
end

T.test("a planted dead-ReLU network is flagged", function()
  torch.manual_seed(0)
  local model = nn.Sequential(nn.Linear(20, 32), nn.ReLU(), nn.Linear(32, 1))
  torch.no_grad(function() model[1].bias:fill_(-10) end)      -- every ReLU input below zero
  local x, y = torch.randn(64, 20), torch.randn(64, 1)
  local m = train(model, optim.SGD(model:parameters(), {lr = 0.01}), 15, x, y)
  local found = m:findings()
  local f = has(found, "dead", "1")
  T.ok(f, "dead units flagged on the ReLU: " .. kinds(found))
  T.ok(f.message:find("100%% of its 32 units"), f.message)
  T.ok(has(found, "vanishing", "0"), "the first layer's gradient is zero: " .. kinds(found))
  T.ok(not has(found, "dead", "0") and not has(found, "dead", "2"), "only the ReLU: " .. kinds(found))
  m:remove()
end)

T.test("a planted exploding-gradient network is flagged", function()
  torch.manual_seed(0)
  local layers = {}
  for i = 1, 6 do layers[i] = nn.Linear(32, 32) end
  local model = nn.Sequential(table.unpack(layers))
  torch.no_grad(function()
    for _, l in ipairs(layers) do l.weight:normal_(0, 1) end   -- gain ~5.7 per layer instead of ~0.6
  end)
  local x, y = torch.randn(64, 32), torch.randn(64, 32)
  local m = train(model, optim.SGD(model:parameters(), {lr = 0.01}), 10, x, y)
  local found = m:findings()
  local f = has(found, "exploding", "0")
  T.ok(f, "exploding gradients flagged: " .. kinds(found))
  T.ok(f.message:find("became NaN/inf at step %d+ %(gradient norm [%d.e+]+ at step %d+%)"), "the evidence: " .. f.message)
  T.ok(not has(found, "lr_high"), "no learning-rate finding from NaN numbers: " .. kinds(found))
  m:remove()
end)

T.test("a learning rate far too large, and far too small, is flagged", function()
  local x, y = torch.randn(64, 10), torch.randn(64, 1)
  torch.manual_seed(1)
  local model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
  local found = train(model, optim.Adam(model:parameters(), {lr = 1}), 12, x, y):findings()
  T.ok(has(found, "lr_high"), "Adam with lr = 1: " .. kinds(found))
  torch.manual_seed(1)
  model = nn.Sequential(nn.Linear(10, 16), nn.ReLU(), nn.Linear(16, 1))
  found = train(model, optim.SGD(model:parameters(), {lr = 1e-7}), 12, x, y):findings()
  T.ok(has(found, "lr_low"), "SGD with lr = 1e-7: " .. kinds(found))
  T.ok(not has(found, "lr_high"), kinds(found))
end)

T.test("a healthy MNISTClassifier run is not flagged", function()
  torch.manual_seed(0)
  local ds = data.datasets.MNIST{train = true}
  local x = ds.data:narrow(1, 1, 512):float():div(255):reshape({512, 784})
  local y = ds.targets:narrow(1, 1, 512)
  local model = MNISTClassifier()
  local opt = optim.Adam(model:parameters(), {lr = 1e-3})
  local m = ember.monitor(model)
  local first, last
  for epoch = 1, 3 do
    for b = 0, 7 do
      local loss = F.cross_entropy(model(x:narrow(1, b * 64 + 1, 64)), y:narrow(1, b * 64 + 1, 64))
      opt:zero_grad(); loss:backward(); opt:step(); m:step()
      first, last = first or loss:item(), loss:item()
    end
  end
  T.ok(last < first, string.format("it learns: loss %.3f -> %.3f", first, last))
  T.eq(m.steps, 24)
  local found = m:findings()
  T.eq(#found, 0, "nothing flagged: " .. kinds(found))
  -- what it recorded: the ReLU's zeros, a Linear's norms
  local rec = m.layers[2].history[24]
  T.eq(m.layers[2].name, "features.1")
  T.ok(rec.zeros > 0.05 and rec.zeros < 0.95, "ReLU zeros " .. rec.zeros)
  local fc = m.layers[1].history[24]
  T.ok(fc.grad_norm > 0 and fc.weight_norm > 0 and fc.update_ratio > 0, "Linear norms recorded")
  local w, b = model.features[1].weight:detach():double(), model.features[1].bias:detach():double()
  T.close(fc.weight_norm, math.sqrt(w:square():sum():item() + b:square():sum():item()), {atol = 1e-6},
    "the weight norm covers the layer's weight and bias")
  -- evaluation without gradients is not recorded as a step's activations
  model:eval()
  torch.no_grad(function() model(x) end)
  T.eq(m.layers[1].current, nil, "a no_grad forward is not recorded")
  local text = m:plot{layers = {"features.1"}, terminal = "dumb", quiet = true}.text
  T.ok(text and text:find("features.1 %(ReLU%): activations"), "the plot's panels: " .. tostring(text))
  m:remove()
  for _, mod in ipairs(model:modules()) do
    T.eq(rawget(mod, "_forward_hooks"), nil, "no hook left on " .. mod:class_name())
  end
  local found2 = m:report()
  T.eq(#found2, 0, "the report after removal still reads what was recorded")
end)

T.test("a layer with a scalar or integer output is recorded without a dead-unit count", function()
  local Sum = nn.Module:extend("MonitorTestSum")
  function Sum:forward(x) return x:sum() end
  local Argmax = nn.Module:extend("MonitorTestArgmax")
  function Argmax:forward(x) return x:argmax(2) end
  local model = nn.Sequential(nn.Linear(3, 4), Sum())
  local m = ember.monitor(model)
  model(torch.randn(5, 3)):backward(); m:step()
  local rec = m.layers[2].history[1]
  T.eq(rec.dead, nil, "no batch dimension, no dead units")
  T.ok(rec.mean ~= nil and rec.std == 0, "a scalar still has a mean")
  m:remove()
  local am = nn.Sequential(nn.Linear(3, 4), Argmax())
  m = ember.monitor(am)
  am(torch.randn(5, 3)); m:step()
  T.ok(m.layers[2].history[1].mean >= 0, "integer outputs are measured as floats")
  m:remove()
end)

T.test("options and misuse are errors that say what is wrong", function()
  local model = nn.Sequential(nn.Linear(2, 2))
  T.error(function() ember.monitor(model, {windw = 3}) end, "unknown option 'windw'")
  T.error(function() ember.monitor(model, {layers = {"fc9"}}) end, "no module named 'fc9'")
  T.error(function() ember.monitor(model, {window = 0}) end, "window must be a positive integer")
  T.error(function() ember.monitor(42) end, "expected a model")
  local m = ember.monitor(model)
  T.error(function() m:plot{} end, "no step recorded yet")
  m:remove()
  T.error(function() m:step() end, "was removed")
end)

T.run()
