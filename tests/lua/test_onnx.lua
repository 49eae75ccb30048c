-- torch.onnx.export and torch.onnx.describe: the graphs the tracer records
-- (node types, initializer names, dynamic dims), the state it restores (training
-- mode, the wrapped functions, the module call hook), and a clear error for
-- every operation, option or file it cannot handle. Running the files in ONNX
-- Runtime and onnx.checker is tests/examples/test_onnx_export.sh.
local T = require "ember.test"
local core = require "torch.core"
local Module = require("torch.nn.module").Module

local tmp = os.tmpname()
os.remove(tmp)
local function path(name) return tmp .. "_" .. name .. ".onnx" end
local written = {}
local function export(model, x, name, opts)
  written[#written + 1] = path(name)
  torch.onnx.export(model, x, path(name), opts)
  return torch.onnx.describe(path(name))
end

-- T.eq compares tables by identity: compare lists as text
local function list(t)
  local out = {}
  for i, v in ipairs(t) do out[i] = tostring(v) end
  return "{" .. table.concat(out, ", ") .. "}"
end
local function same(a, b) T.eq(list(a), list(b)) end

local function ops(d)
  local out = {}
  for i, n in ipairs(d.graph.nodes) do out[i] = n.op_type end
  return table.concat(out, " ")
end

local function mlp()
  return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 128),
    nn.ReLU(), nn.Dropout(0.2), nn.Linear(128, 10))
end

T.test("an MLP: nodes, initializers under state-dict names, dynamic batch", function()
  local d = export(mlp(), torch.randn(2, 1, 28, 28), "mlp", {dynamic_axes = {input = {"batch"}, output = {"batch"}}})
  T.eq(ops(d), "Flatten Gemm Relu Gemm Relu Gemm")
  T.eq(d.opset_import[1].version, 17)
  T.eq(d.ir_version, 8)
  T.eq(d.producer_name, "ember")
  local names = {}
  for i, t in ipairs(d.graph.initializers) do names[i] = t.name end
  T.eq(table.concat(names, " "), "1.weight 1.bias 4.weight 4.bias 7.weight 7.bias")
  same(d.graph.initializers[1].dims, {256, 784})
  T.eq(d.graph.initializers[1].raw_bytes, 256 * 784 * 4)
  T.eq(d.graph.inputs[1].name, "input")
  same(d.graph.inputs[1].shape, {"batch", 1, 28, 28})
  T.eq(d.graph.outputs[1].name, "output")
  same(d.graph.outputs[1].shape, {"batch", 10})
  same(d.graph.nodes[#d.graph.nodes].outputs, {"output"})
  T.eq(d.graph.nodes[2].name, "/1/Gemm")
end)

T.test("fixed sizes without dynamic_axes; names and opset from the options", function()
  local d = export(mlp(), torch.randn(3, 784), "fixed", {input_names = {"x"}, output_names = {"y"}, opset_version = 13})
  same(d.graph.inputs[1].shape, {3, 784})
  same(d.graph.outputs[1].shape, {3, 10})
  T.eq(d.graph.inputs[1].name, "x")
  T.eq(d.opset_import[1].version, 13)
  T.eq(ops(d), "Flatten Gemm Relu Gemm Relu Gemm")
end)

T.test("training mode, the call hook and every wrapped function are restored", function()
  local model = mlp()
  model:train()
  local relu, add, mt_add = torch.relu, torch.Tensor.add, getmetatable(torch.zeros(1)).__add
  export(model, torch.randn(1, 784), "restore")
  T.ok(model.training and model:children()[4].training, "training mode restored")
  model:eval()
  export(model, torch.randn(1, 784), "restore2")
  T.ok(not model.training, "eval mode kept")
  T.ok(Module._call_hook == nil, "call hook cleared")
  T.ok(rawequal(torch.relu, relu) and rawequal(torch.Tensor.add, add), "functions restored")
  T.ok(rawequal(getmetatable(torch.zeros(1)).__add, mt_add), "operators restored")
end)

local function custom(forward)
  local C = nn.Module:extend("OnnxTestNet")
  function C:__init() nn.Module.__init(self); self.fc = nn.Linear(4, 3) end
  C.forward = forward
  return C()
end

T.test("a custom forward: operators, numbers, parameters used directly, a passthrough", function()
  local m = custom(function(self, x)
    local h = self.fc(x):contiguous()
    return (h * 2 - self.fc.bias) / 3 + torch.sigmoid(-h)
  end)
  local d = export(m, torch.randn(2, 4), "custom")
  T.eq(ops(d), "Gemm Mul Sub Div Neg Sigmoid Add")
  local names = {}
  for _, t in ipairs(d.graph.initializers) do names[t.name] = true end
  T.ok(names["fc.bias"] and names["fc.weight"], "parameters by name")
end)

T.test("the input returned as it is becomes an Identity node", function()
  local m = custom(function(_, x) return x end)
  local d = export(m, torch.randn(2, 4), "identity")
  T.eq(ops(d), "Identity")
  same(d.graph.nodes[1].inputs, {"input"})
  same(d.graph.nodes[1].outputs, {"output"})
end)

T.test("unsupported operations on traced tensors stop the export, naming them", function()
  local cases = {
    {function(self, x) return self.fc(x):clamp(0, 1) end, "Tensor:clamp is not supported"},
    {function(self, x) return torch.mean(self.fc(x)) end, "torch.mean is not supported"},
    {function(self, x) local h = self.fc(x); h:relu_(); return h end, "Tensor:relu_ is not supported"},
    {function(self, x) return self.fc(x).T end, "property .T is not supported"},
    {function(self, x) return F.dropout(self.fc(x), 0.5) end, "dropout in training mode"},
    {function() return 42 end, "output 1 of the forward is not a tensor"},
  }
  for i, c in ipairs(cases) do
    local m = custom(c[1])
    m:train()
    T.error(function() torch.onnx.export(m, torch.randn(2, 4), path("bad" .. i)) end, c[2])
    T.ok(m.training, "training mode restored after an error")
    T.ok(Module._call_hook == nil, "hook cleared after an error")
    T.ok(io.open(path("bad" .. i)) == nil, "no file written")
  end
  T.ok(rawequal(getmetatable(torch.zeros(1)).__index, getmetatable(torch.ones(1)).__index))
  T.eq(torch.ones(2):clamp(0, 0.5):sum():item(), 1.0)
end)

T.test("bad options and arguments", function()
  local m = mlp()
  local x = torch.randn(1, 784)
  T.error(function() torch.onnx.export(m, x, path("o1"), {opset_version = 12}) end, "opset_version 12 is not supported")
  T.error(function() torch.onnx.export(m, x, path("o2"), {dynamic_axes = {input = {[0] = "batch"}}}) end,
    "dims are 1-based")
  T.error(function() torch.onnx.export(m, x, path("o3"), {dynamic_axes = {image = {"batch"}}}) end,
    "no input or output name")
  T.error(function() torch.onnx.export(m, x, path("o4"), {dynamic_axes = {input = {5}}}) end, "has 2 dims")
  T.error(function() torch.onnx.export({}, x, path("o5")) end, "expected a module")
  T.error(function() torch.onnx.export(m, 3, path("o6")) end, "expected an example input")
  T.error(function() torch.onnx.export(m, x, "/nonexistent-dir/m.onnx") end, "nonexistent-dir")
  T.error(function() torch.onnx.export(m, torch.randn(1, 5), path("o7")) end, "in_features")
end)

T.test("describe refuses what is not an ONNX model", function()
  local f = assert(io.open(path("junk"), "wb"))
  f:write("this is not protobuf at all \255\255")
  f:close()
  written[#written + 1] = path("junk")
  T.error(function() torch.onnx.describe(path("junk")) end, "not an ONNX model")
  T.error(function() torch.onnx.describe(path("missing")) end, "No such file")
  -- a valid file cut short
  local d = path("mlp")
  local bytes = assert(io.open(d, "rb")):read("a")
  T.error(function() core._onnx.parse(bytes:sub(1, #bytes // 2)) end, "not an ONNX model")
  -- messages nested far deeper than any model: refused before protobuf-c recurses
  local function varint(n)
    local s = ""
    repeat
      local b = n % 128
      n = n // 128
      s = s .. string.char(n > 0 and b + 128 or b)
    until n == 0
    return s
  end
  local deep = "\8\1"
  for _ = 1, 2000 do deep = "\58" .. varint(#deep) .. deep end   -- field 7 (graph), nested
  T.error(function() core._onnx.parse(deep) end, "nested more than 64 deep")
end)

T.test("conv, batch norm, pooling: the attributes", function()
  local Pool = nn.Module:extend("OnnxTestAvgPool")
  function Pool:forward(x) return torch.avg_pool2d(x, 2) end
  local m = nn.Sequential(nn.Conv2d(1, 4, 3, {stride = 2, padding = 1}), nn.BatchNorm2d(4), Pool(),
    nn.Conv2d(4, 2, 3, {padding = 1, bias = false}), nn.MaxPool2d(2, 1))
  local d = export(m, torch.randn(1, 1, 12, 12), "conv")
  T.eq(ops(d), "Conv BatchNormalization AveragePool Conv MaxPool")
  local attrs = {}
  for _, a in ipairs(d.graph.nodes[1].attributes) do attrs[a.name] = a.value end
  same(attrs.strides, {2, 2})
  same(attrs.pads, {1, 1, 1, 1})
  same(attrs.kernel_shape, {3, 3})
  T.eq(#d.graph.nodes[4].inputs, 2)   -- no bias
  attrs = {}
  for _, a in ipairs(d.graph.nodes[5].attributes) do attrs[a.name] = a.value end
  same(attrs.strides, {1, 1})
end)

for _, p in ipairs(written) do os.remove(p) end
T.run()
