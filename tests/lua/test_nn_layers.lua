-- Every layer and loss: a gradient check in float64 (through the layer's
-- forward, for its input and its parameters), and train/eval differences.
local T = require "ember.test"
local gradcheck = require "torch.gradcheck"

torch.manual_seed(1)

local function rnd(...) return torch.randn(...):double():requires_grad_() end

-- Checks d(layer(x))/d(x, parameters) by finite differences.
local function check_layer(name, layer, x, extra_inputs)
  T.test("gradcheck " .. name, function()
    layer:double()
    local params = layer:parameters()
    local inputs = {x}
    for _, p in ipairs(params) do inputs[#inputs + 1] = p end
    for _, e in ipairs(extra_inputs or {}) do inputs[#inputs + 1] = e end
    local original = {}
    for i, p in ipairs(params) do original[i] = p:detach():clone() end
    gradcheck(function(input, ...)
      local ps = {...}
      -- gradcheck passes perturbed copies of the parameters: evaluate the
      -- layer with their values, or the original ones, in the same objects
      for i, p in ipairs(params) do p.data = rawequal(ps[i], p) and original[i] or ps[i] end
      return layer(input)
    end, inputs)
    for i, p in ipairs(params) do p.data = original[i] end
  end)
end

check_layer("Linear", nn.Linear(4, 3), rnd(5, 4))
check_layer("Linear without bias on 3-D input", nn.Linear(4, 3, {bias = false}), rnd(2, 5, 4))
check_layer("Conv2d", nn.Conv2d(2, 3, 3), rnd(2, 2, 5, 5))
check_layer("Conv2d stride 2 padding 1", nn.Conv2d(2, 2, 3, {stride = 2, padding = 1}), rnd(1, 2, 6, 5))
check_layer("Conv2d dilation, groups, padding same", nn.Conv2d(4, 2, {2, 3}, {padding = "same", dilation = 2, groups = 2}),
  rnd(1, 4, 5, 5))
check_layer("Conv2d depthwise, PyTorch's positional order", nn.Conv2d(3, 3, 3, 2, 1, 1, 3), rnd(2, 3, 5, 6))
check_layer("MaxPool2d", nn.MaxPool2d(2), rnd(2, 2, 4, 6))
check_layer("MaxPool2d ceil_mode, dilation", nn.MaxPool2d(3, {stride = 2, padding = 1, dilation = 2, ceil_mode = true}),
  rnd(1, 2, 8, 7))
check_layer("AvgPool2d ceil_mode", nn.AvgPool2d(3, 2, 1, true, false), rnd(1, 2, 6, 7))
check_layer("BatchNorm1d momentum None (training)", nn.BatchNorm1d(3, {momentum = torch.None}), rnd(6, 3))
check_layer("BatchNorm1d (training)", nn.BatchNorm1d(3), rnd(6, 3))
check_layer("BatchNorm2d (training)", nn.BatchNorm2d(2), rnd(3, 2, 3, 3))
check_layer("BatchNorm1d (eval)", nn.BatchNorm1d(3):eval(), rnd(6, 3))
check_layer("ReLU", nn.ReLU(), torch.tensor({{-1.5, 0.5, 2.0}, {0.3, -0.2, 1.0}}, {dtype = torch.float64,
  requires_grad = true}))
check_layer("Sigmoid", nn.Sigmoid(), rnd(3, 4))
check_layer("Tanh", nn.Tanh(), rnd(3, 4))
check_layer("Softmax", nn.Softmax(2), rnd(3, 4))
check_layer("LogSoftmax", nn.LogSoftmax(2), rnd(3, 4))
check_layer("Flatten", nn.Flatten(), rnd(2, 3, 2))
check_layer("Dropout (eval)", nn.Dropout(0.3):eval(), rnd(3, 4))
check_layer("Sequential", nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)), rnd(5, 3))

local labels = torch.tensor({0, 2, 1, 2})
local function check_loss(name, loss, input, target)
  T.test("gradcheck " .. name, function()
    gradcheck(function(x) return loss(x, target) end, {input})
  end)
end

check_loss("CrossEntropyLoss", nn.CrossEntropyLoss(), rnd(4, 3), labels)
check_loss("CrossEntropyLoss sum", nn.CrossEntropyLoss({reduction = "sum"}), rnd(4, 3), labels)
check_loss("CrossEntropyLoss none", nn.CrossEntropyLoss({reduction = "none"}), rnd(4, 3), labels)
check_loss("NLLLoss", nn.NLLLoss(), rnd(4, 3), labels)
check_loss("MSELoss", nn.MSELoss(), rnd(4, 3), torch.randn(4, 3):double())
check_loss("MSELoss sum", nn.MSELoss({reduction = "sum"}), rnd(4, 3), torch.randn(4, 3):double())
check_loss("MSELoss none", nn.MSELoss({reduction = "none"}), rnd(4, 3), torch.randn(4, 3):double())
check_loss("L1Loss", nn.L1Loss(), rnd(4, 3), torch.randn(4, 3):double())

-- mse_loss is one op and one node; its gradients for both arguments, with
-- broadcasting, are checked through both at once, and its value and
-- gradient equal the op-by-op formula's.
T.test("gradcheck mse_loss through input and a broadcast target", function()
  gradcheck(function(a, b) return F.mse_loss(a, b) end, {rnd(4, 3), rnd(3)})
end)
T.test("mse_loss equals reduce((a - b)^2) with the same gradient", function()
  for _, red in ipairs({"mean", "sum"}) do
    local a1 = torch.randn(6, 5, {requires_grad = true})
    local a2 = a1:detach():requires_grad_()
    local b = torch.randn(6, 5)
    local fused = F.mse_loss(a1, b, {reduction = red})
    local sq = (a2 - b):square()
    local ref = red == "mean" and sq:mean() or sq:sum()
    T.eq(fused:item(), ref:item())
    T.eq(fused.grad_fn:name(), "MseLossBackward0")
    fused:backward()
    ref:backward()
    T.ok(torch.allclose(a1.grad, a2.grad, {rtol = 1e-6, atol = 0}), "gradients agree (" .. red .. ")")
  end
end)
check_loss("BCEWithLogitsLoss", nn.BCEWithLogitsLoss(), rnd(4, 3), torch.rand(4, 3):double())

T.test("CrossEntropyLoss equals log_softmax + NLLLoss and PyTorch's value", function()
  local logits = torch.tensor({{2.0, 1.0, 0.1}, {0.5, 2.5, 0.3}})
  local target = torch.tensor({0, 1})
  local ce = nn.CrossEntropyLoss()(logits, target)
  local nll = nn.NLLLoss()(torch.log_softmax(logits, 2), target)
  T.close(ce, nll, {rtol = 1e-6})
  T.close(ce, 0.3185397, {rtol = 1e-5})   -- torch.nn.CrossEntropyLoss()(logits, target)
end)

T.test("loss bad inputs are clear errors", function()
  local ce = nn.CrossEntropyLoss()
  T.error(function() ce(torch.randn(2, 10), torch.tensor({3, 12})) end, "out of bounds")
  T.error(function() ce(torch.randn(2, 10), torch.tensor({1.0, 2.0})) end, "int64")
  T.error(function() ce(torch.randn(2, 10), torch.tensor({1, 2, 3})) end, "cross_entropy")
  T.error(function() nn.MSELoss({reduction = "avg"})(torch.ones(2), torch.ones(2)) end, "reduction must be")
end)

T.run()
