-- The layers of issue 22 group A without PyTorch at hand: gradchecks in
-- float64 (layer_norm, group_norm, embedding, softmin, normalize,
-- cosine_similarity, pairwise_distance, BatchNorm1d on (N, C, L)), the
-- padding row's zero gradient, the containers' positions, lengths and
-- renaming, and the errors: wrong input shapes name the module and the
-- shapes; PyTorch options ember lacks are refused by name. Values against
-- PyTorch: tests/peer/test_layersa_parity.lua.
local T = require "ember.test"
local gradcheck = require "torch.gradcheck"
local nn, F = torch.nn, torch.nn.functional

local f64 = {dtype = torch.float64}
local function randn(...)
  local t = torch.randn(...):double()
  return t:requires_grad_(true)
end

local function check(name, make, fn)
  T.test("gradcheck " .. name, function()
    torch.manual_seed(7)
    T.ok(gradcheck(fn, make()), name)
  end)
end

check("layer_norm", function() return {randn(2, 3, 4), randn(4), randn(4)} end,
  function(x, w, b) return F.layer_norm(x, 4, w, b) end)
check("layer_norm over two dims", function() return {randn(2, 3, 4)} end,
  function(x) return torch.layer_norm(x, {3, 4}) end)
check("group_norm", function() return {randn(2, 6, 3), randn(6), randn(6)} end,
  function(x, w, b) return F.group_norm(x, 3, w, b) end)
check("group_norm 4-d", function() return {randn(2, 4, 2, 2)} end,
  function(x) return F.group_norm(x, 2, {eps = 1e-3}) end)
check("embedding", function() return {randn(6, 3)} end,
  function(w) return F.embedding(torch.tensor({{1, 5, 1}, {0, 2, 1}}), w) end)
-- (with padding_idx the padding row's gradient is 0 by definition, not the
-- finite difference: checked below, as PyTorch's)
check("softmin", function() return {randn(3, 4)} end, function(x) return F.softmin(x, 2) end)
check("normalize", function() return {randn(3, 4)} end, function(x) return F.normalize(x) end)
check("normalize p=3 dim=1", function() return {randn(3, 4)} end, function(x) return F.normalize(x, 3, 1) end)
check("cosine_similarity", function() return {randn(3, 5), randn(3, 5)} end,
  function(a, b) return F.cosine_similarity(a, b) end)
check("cosine_similarity broadcast", function() return {randn(2, 3, 4), randn(1, 4)} end,
  function(a, b) return F.cosine_similarity(a, b, -1) end)
check("pairwise_distance", function() return {randn(4, 3), randn(4, 3)} end,
  function(a, b) return F.pairwise_distance(a, b) end)
check("pairwise_distance p=1 keepdim", function() return {randn(4, 3), randn(4, 3)} end,
  function(a, b) return F.pairwise_distance(a, b, 1, 1e-6, true) end)
check("BatchNorm1d on (N, C, L)", function() return {randn(4, 3, 5), randn(3), randn(3)} end,
  function(x, w, b) return torch.batch_norm(x, w, b, nil, nil, true, 0.1, 1e-5) end)
check("nn.LayerNorm parameters", function()
  local ln = nn.LayerNorm({2, 3}):double()
  return {randn(4, 2, 3), ln.weight, ln.bias}
end, function(x, w, b) return torch.layer_norm(x, {2, 3}, w, b) end)

T.test("the padding row gets no gradient; the others accumulate", function()
  local emb = nn.Embedding(5, 2, {padding_idx = 0})
  T.close(emb.weight[1], {0, 0})
  emb(torch.tensor({{0, 3, 3}, {0, 1, 0}})):sum():backward()
  T.close(emb.weight.grad, {{0, 0}, {1, 1}, {0, 0}, {2, 2}, {0, 0}})
  -- the padding row's value is still looked up (PyTorch's, not zero)
  torch.no_grad(function() emb.weight[1]:fill_(3) end)
  T.close(emb(torch.tensor({0})), {{3, 3}})
  T.eq(nn.Embedding(5, 2, -1).padding_idx, 4)
end)

T.test("Embedding.from_pretrained: freeze, and _weight", function()
  local w = torch.tensor({{1.0, 2.0}, {3.0, 4.0}})
  local emb = nn.Embedding.from_pretrained(w)
  T.ok(not emb.weight.requires_grad, "frozen by default")
  T.close(emb(torch.tensor({1, 0})), {{3, 4}, {1, 2}})
  T.ok(nn.Embedding.from_pretrained(w, false).weight.requires_grad, "freeze = false trains it")
  T.eq(tostring(nn.Embedding.from_pretrained(w, {padding_idx = 1})), "Embedding(2, 2, padding_idx=1)")
end)

T.test("errors: wrong input shapes name the module and the shapes", function()
  T.error(function() nn.LayerNorm(4)(torch.ones(2, 3)) end,
    "nn.LayerNorm: expected input with shape [*, 4] (normalized_shape=(4)), got input of shape [2, 3]")
  T.error(function() nn.GroupNorm(2, 4)(torch.ones(2, 3, 5)) end,
    "nn.GroupNorm: expected input (N, 4, ...) with num_channels=4 in dim 2, got input of shape [2, 3, 5]")
  T.error(function() nn.Embedding(4, 2)(torch.ones(3)) end,
    "nn.Embedding: expected int64 (or int32) token ids, got torch.float32 input of shape torch.Size([3])")
  T.error(function() nn.Embedding(4, 2)(torch.tensor({4})) end, "embedding: index out of range in self: index 4")
  T.error(function() nn.Embedding(4, 2)(torch.tensor({-1})) end, "index out of range in self: index -1")
  T.error(function() nn.BatchNorm1d(3)(torch.ones(2, 3, 4, 5)) end, "nn.BatchNorm1d: expected 2-D or 3-D input")
  T.error(function() nn.BatchNorm1d(3)(torch.ones(2, 4, 5)) end, "nn.BatchNorm1d: expected 3 channels")
  T.error(function() nn.Unflatten(2, {2, 4})(torch.ones(3, 6)) end,
    "nn.Unflatten: unflattened_size (2, 4) does not match dim 2 of size 6")
  T.error(function() F.layer_norm(torch.ones(2, 3), 4) end,
    "layer_norm: Given normalized_shape=[4], expected input with shape [*, 4], but got input of size[2, 3]")
  T.error(function() F.layer_norm(torch.ones(2, 4), 4, torch.ones(3)) end,
    "Expected weight to be of same shape as normalized_shape")
  T.error(function() F.group_norm(torch.ones(4), 2) end, "Expected at least 2 dimensions")
  T.error(function() F.cosine_similarity(torch.ones(2, 3), torch.ones(4, 3)) end, "cannot be broadcast")
  T.error(function() F.one_hot(torch.tensor({1, 5}), 3) end, "Class values must be smaller than num_classes.")
  T.error(function() F.one_hot(torch.tensor({}, {dtype = torch.int64})) end, "Can not infer total number of classes")
  T.error(function() F.layer_norm(torch.tensor({1, 2}), 2) end, "expected a floating-point input")
end)

T.test("errors: PyTorch options ember lacks are refused by name", function()
  T.error(function() nn.Embedding(4, 2, {max_norm = 1.0}) end, "nn.Embedding: max_norm=1.0 is not implemented")
  T.error(function() nn.Embedding(4, 2, nil, nil, 2.0, true) end, "scale_grad_by_freq=true is not implemented")
  T.error(function() nn.Embedding(4, 2, {sparse = true}) end, "sparse=true is not implemented")
  T.error(function() F.embedding(torch.tensor({1}), torch.ones(4, 2), {max_norm = 2}) end,
    "F.embedding: max_norm=2 is not implemented")
  T.error(function() nn.Embedding(4, 2, {padding_idx = 4}) end, "Padding_idx must be within num_embeddings")
  T.error(function() nn.LayerNorm(4, {device = "cpu"}) end, "device")
  T.error(function() nn.LayerNorm(4, {elementwise_afine = false}) end, "elementwise_affine")
  T.error(function() nn.GroupNorm(3, 4) end, "num_channels must be divisible by num_groups")
  T.error(function() F.normalize(torch.ones(2), {out = torch.ones(2)}) end, "out")
end)

T.test("ModuleList: 1-based positions, #, ipairs, insert/pop renaming, state_dict keys", function()
  local l = nn.ModuleList({nn.Linear(2, 3), nn.ReLU()})
  T.eq(#l, 2)
  T.eq(l:len(), 2)
  T.eq(l[1]:class_name(), "Linear")
  T.eq(l[-1]:class_name(), "ReLU")
  T.ok(l[3] == nil, "past the end is nil")
  T.error(function() return l[0] end, "positions are 1-based")
  T.error(function() l:at(3) end, "index 3 is out of range (the list holds 2)")
  l:append(nn.Linear(3, 1))
  l:insert(1, nn.Tanh())
  local names = {}
  for i, m in ipairs(l) do names[i] = m:class_name() end
  T.eq(table.concat(names, " "), "Tanh Linear ReLU Linear")
  local keys = {}
  for k in pairs(l:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), "1.weight 1.bias 3.weight 3.bias")
  T.eq(l:pop(1):class_name(), "Tanh")
  T.eq(l[1]:class_name(), "Linear")
  l[2] = nn.Sigmoid()
  T.eq(l:at(2):class_name(), "Sigmoid")
  T.error(function() l:append(3) end, "is not a Module")
  T.error(function() l(torch.ones(1)) end, "forward is not implemented")
end)

T.test("ModuleDict: insertion order, keys/values/items, update, pop", function()
  local d = nn.ModuleDict({{"b", nn.Linear(1, 1)}, {"a", nn.ReLU()}})
  T.eq(table.concat(d:keys(), " "), "b a")
  d.c = nn.Tanh()
  d["d"] = nn.Sigmoid()
  T.eq(table.concat(d:keys(), " "), "b a c d")
  T.eq(#d, 4)
  T.eq(d:values()[3]:class_name(), "Tanh")
  T.eq(d:items()[1][1], "b")
  T.ok(d:contains("a") and not d:contains("z"), "contains")
  T.eq(d:pop("a"):class_name(), "ReLU")
  T.eq(table.concat(d:keys(), " "), "b c d")
  d:update({z = nn.ReLU(), y = nn.ReLU()})   -- a plain table: sorted names
  T.eq(table.concat(d:keys(), " "), "b c d y z")
  T.error(function() d:pop("nope") end, "no module named 'nope'")
  T.error(function() nn.ModuleDict({{"x", 1}}) end, "not a Module")
  d:clear()
  T.eq(#d, 0)
end)

T.test("ParameterList: tensors become parameters, seen by parameters()", function()
  local p = nn.ParameterList({torch.ones(2)})
  p:append(torch.zeros(3, 1))
  T.eq(#p, 2)
  T.ok(nn.is_parameter(p[2]) and p[2].requires_grad, "a Parameter")
  T.eq(#p:parameters(), 2)
  T.eq(tostring(p), "ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]\n" ..
    "    (1): Parameter containing: [torch.float32 of size 3x1]\n)")
  p[1] = torch.full({2}, 5.0)
  T.close(p:at(1), {5, 5})
  T.error(function() p:append("x") end, "expected a tensor")
end)

T.test("Identity ignores its arguments; Softmin and Unflatten print ember's 1-based dims", function()
  local x = torch.ones(2)
  T.ok(rawequal(nn.Identity(1, 2, {x = 3})(x), x), "the same tensor")
  T.eq(tostring(nn.Softmin(2)), "Softmin(dim=2)")
  T.eq(tostring(nn.Unflatten(-1, {2, -1})), "Unflatten(dim=-1, unflattened_size=(2, -1))")
  T.eq(tostring(nn.Unflatten(1, {4})), "Unflatten(dim=1, unflattened_size=(4,))")
  T.eq(tostring(nn.Unflatten(2, {2, -1})(torch.ones(3, 6)):size()), "torch.Size([3, 2, 3])")
  T.eq(tostring(nn.Flatten(1, 2)(torch.ones(2, 3, 4)):size()), "torch.Size([6, 4])")
  T.eq(tostring(nn.Unflatten(2, {2, 3})(nn.Flatten()(torch.ones(4, 2, 3))):size()), "torch.Size([4, 2, 3])")
end)

T.test("one_hot infers num_classes and gives int64", function()
  local y = F.one_hot(torch.tensor({{2, 0}}))
  T.eq(tostring(y.dtype), "torch.int64")
  T.eq(tostring(y:size()), "torch.Size([1, 2, 3])")
  T.close(y, {{{0, 0, 1}, {1, 0, 0}}})
end)

T.test("a model of containers saves and loads its state dict", function()
  local Net = nn.Module:extend("LayersATestNet")
  function Net:__init()
    nn.Module.__init(self)
    self.blocks = nn.ModuleList({nn.Linear(3, 3), nn.LayerNorm(3)})
    self.emb = nn.Embedding(5, 3)
  end
  local a, b = Net(), Net()
  b:load_state_dict(a:state_dict())
  T.close(b.blocks[1].weight, a.blocks[1].weight)
  T.close(b.emb.weight, a.emb.weight)
  local keys = {}
  for k in pairs(a:state_dict()) do keys[#keys + 1] = k end
  T.eq(table.concat(keys, " "), "blocks.0.weight blocks.0.bias blocks.1.weight blocks.1.bias emb.weight")
end)

T.test("whole-model files rebuild the new layers and containers", function()
  local m = nn.Sequential(nn.Embedding(5, 3, {padding_idx = 0}), nn.LayerNorm(3), nn.ModuleList({nn.Linear(3, 3)}),
    nn.ModuleDict({{"a", nn.GELU("tanh")}}), nn.GroupNorm(1, 3), nn.Unflatten(2, {1, 3}),
    nn.Embedding.from_pretrained(torch.ones(2, 2)))
  m[3]:append(nn.ReLU())
  local path = os.tmpname()
  torch.save(m, path)
  local m2 = torch.load(path)
  os.remove(path)
  T.eq(tostring(m2), tostring(m))
  T.close(m2[1].weight, m[1].weight)
  T.close(m2[7].weight, {{1, 1}, {1, 1}})
  -- a ParameterList's tensors are constructor arguments: a clear error
  T.error(function() torch.save(nn.Sequential(nn.ParameterList({torch.ones(2)})), path) end,
    "save model:state_dict() instead")
end)

T.test("ONNX export: LayerNorm as LayerNormalization, Embedding as Gather, GroupNorm refused", function()
  local tmp = os.tmpname()
  local function export(model, x, opts)
    torch.onnx.export(model, x, tmp, opts)
    local d = torch.onnx.describe(tmp)
    os.remove(tmp)
    local ops = {}
    for i, n in ipairs(d.graph.nodes) do ops[i] = n.op_type end
    return table.concat(ops, " "), d
  end
  local ops = export(nn.Sequential(nn.Linear(4, 4), nn.LayerNorm(4), nn.Softmin(2), nn.Identity()), torch.randn(2, 4))
  T.eq(ops, "Gemm LayerNormalization Neg Softmax")
  ops = export(nn.Sequential(nn.Embedding(10, 4), nn.LayerNorm({3, 4}, {elementwise_affine = false})),
    torch.tensor({{1, 2, 3}}))
  T.eq(ops, "Gather LayerNormalization")
  T.error(function() export(nn.Sequential(nn.LayerNorm(4)), torch.randn(2, 4), {opset_version = 13}) end,
    "layer_norm needs opset_version 17")
  T.error(function() export(nn.Sequential(nn.GroupNorm(2, 4)), torch.randn(2, 4, 3)) end,
    "group_norm cannot be exported")
  os.remove(tmp)
end)

T.run()
