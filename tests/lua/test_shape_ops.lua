-- test_shape_ops.lua — the indexing, masking and shape ops of issue 22
-- (flip, roll, repeat/tile, tril/triu, diagonal, diag, trace, masked_fill(_),
-- masked_select, nonzero, where(cond), chunk/split/tensor_split, addmm,
-- baddbmm, einsum, meshgrid, cartesian_prod, outer, repeat_interleave):
-- finite-difference gradient checks in float64, the grad nodes, views,
-- in-place behaviour and the errors. PyTorch's values are checked by
-- tests/peer/test_shape_parity.lua.
-- Run: build/ember run tests/lua/test_shape_ops.lua [name filter]

local T = require "ember.test"

local function leaf(t) return t:detach():double():requires_grad_(true) end
local function rnd(...) return leaf(torch.randn(...)) end

-- Nested lists of numbers as text, to compare them.
local function show(v)
  if type(v) ~= "table" then return tostring(v) end
  local parts = {}
  for i, x in ipairs(v) do parts[i] = show(x) end
  return "{" .. table.concat(parts, ", ") .. "}"
end
local function same(a, b, msg) T.eq(show(a), show(b), msg) end

local check = T.gradcheck   -- check(name, make, fn): a "gradcheck NAME" test

-- gradients -------------------------------------------------------------------

check("flip", function() return {rnd(3, 4)} end, function(x) return x:flip({1, 2}) end)
check("roll dims", function() return {rnd(3, 4)} end, function(x) return x:roll({1, -3}, {1, 2}) end)
check("roll flat", function() return {rnd(3, 4)} end, function(x) return x:roll(5) end)
check("repeat", function() return {rnd(2, 3)} end, function(x) return x["repeat"](x, 2, 1, 3) end)
check("tile", function() return {rnd(2, 3)} end, function(x) return x:tile(2) end)
check("tril", function() return {rnd(2, 3, 4)} end, function(x) return x:tril(1) end)
check("triu", function() return {rnd(4, 3)} end, function(x) return x:triu(-1) end)
check("diagonal", function() return {rnd(3, 4, 2)} end, function(x) return x:diagonal(1, 1, 2) end)
check("diag of a vector", function() return {rnd(3)} end, function(x) return x:diag(-1) end)
check("diag of a matrix", function() return {rnd(3, 4)} end, function(x) return x:diag(1) end)
check("trace", function() return {rnd(3, 4)} end, function(x) return x:trace() end)
check("masked_fill number", function() return {rnd(3, 4)} end,
  function(x) return x:masked_fill(torch.tensor({true, false, true, false}), 2.5) end)
check("masked_fill tensor value", function() return {rnd(3, 4), rnd()} end,
  function(x, v) return x:masked_fill(torch.tensor({{true}, {false}, {true}}), v) end)
check("masked_fill broadcast beyond x", function() return {rnd(4)} end,
  function(x) return x:masked_fill(torch.tensor({{true, false, false, true}, {false, true, false, false}}), 0) end)
check("masked_fill_ on a non-leaf", function() return {rnd(3, 4)} end,
  function(x) return (x * 2):masked_fill_(torch.tensor({true, false, true, false}), -1) end)
check("masked_select", function() return {rnd(3, 4)} end,
  function(x) return x:masked_select(torch.tensor({{true}, {false}, {true}})) end)
check("masked_select broadcast beyond x", function() return {rnd(4)} end,
  function(x) return x:masked_select(torch.tensor({{true, false, false, true}, {true, true, false, false}})) end)
check("chunk", function() return {rnd(5, 2)} end, function(x)
  local p = x:chunk(3, 1)
  return p[1] * 2 + p[2] - p[3]:sum()
end)
check("split sizes", function() return {rnd(2, 5)} end, function(x)
  local p = x:split({1, 4}, 2)
  return p[1] * p[2]
end)
check("tensor_split indices", function() return {rnd(7)} end, function(x)
  local p = x:tensor_split({2, 5})
  return torch.cat({p[3], p[1] * 3, p[2]})
end)
check("addmm", function() return {rnd(3), rnd(2, 4), rnd(4, 3)} end,
  function(i, a, b) return torch.addmm(i, a, b, {beta = 0.5, alpha = -2}) end)
check("addmm beta 0", function() return {rnd(2, 3), rnd(2, 4), rnd(4, 3)} end,
  function(i, a, b) return torch.addmm(i, a, b, {beta = 0}) end)
check("baddbmm", function() return {rnd(2, 1, 3), rnd(2, 2, 4), rnd(2, 4, 3)} end,
  function(i, a, b) return i:baddbmm(a, b, {alpha = 3}) end)
check("outer", function() return {rnd(3), rnd(4)} end, torch.outer)
check("repeat_interleave tensor", function() return {rnd(3, 2)} end,
  function(x) return x:repeat_interleave(torch.tensor({2, 0, 1}), 1) end)
check("repeat_interleave flat", function() return {rnd(3, 2)} end, function(x) return x:repeat_interleave(2) end)
check("meshgrid", function() return {rnd(3), rnd(2)} end, function(a, b)
  local g = torch.meshgrid(a, b, {indexing = "xy"})
  return g[1] * g[2]
end)
check("cartesian_prod", function() return {rnd(3), rnd(2)} end, torch.cartesian_prod)
for _, eq in ipairs({"ij,jk->ik", "ij,ij->ij", "ij->ji", "ij->", "ij,kj->ik", "ik,ij->kj"}) do
  check("einsum " .. eq, function() return {rnd(3, 3), rnd(3, 3)} end,
    function(a, b) if eq:find(",") then return torch.einsum(eq, a, b) end return torch.einsum(eq, a) end)
end
check("einsum ii-> and ii->i", function() return {rnd(3, 3)} end,
  function(a) return torch.einsum("ii->i", a) * torch.einsum("ii->", a) end)
check("einsum batched", function() return {rnd(2, 3, 4), rnd(2, 4, 2)} end,
  function(a, b) return torch.einsum("bij,bjk->bik", a, b) end)
check("einsum three operands", function() return {rnd(2, 3), rnd(4, 3, 2), rnd(2, 2)} end,
  function(a, b, c) return torch.einsum("ik,jkl,il->ij", a, b, c) end)
check("einsum bilinear", function() return {rnd(2, 3), rnd(5, 3, 4), rnd(2, 4)} end,
  function(a, w, b) return torch.einsum("bi,oij,bj->bo", a, w, b) end)

-- nodes, views, values ----------------------------------------------------------

T.test("grad_fn names are PyTorch's", function()
  local x = torch.randn(3, 4, {requires_grad = true})
  local m = torch.tensor({true, false, true, false})
  local v = torch.randn(3, {requires_grad = true})
  local b = torch.randn(2, 3, 4, {requires_grad = true})
  local cases = {
    {x:flip(1), "FlipBackward0"}, {x:roll(1), "RollBackward0"}, {x:tile(2, 1), "RepeatBackward0"},
    {x:tril(), "TrilBackward0"}, {x:triu(1), "TriuBackward0"}, {x:diagonal(), "DiagonalBackward0"},
    {x:diag(), "DiagBackward0"}, {v:diag(), "DiagBackward0"}, {x:trace(), "TraceBackward0"},
    {x:masked_fill(m, 1), "MaskedFillBackward0"}, {x:masked_fill(m, torch.tensor(2.0)), "MaskedFillBackward1"},
    {x:masked_select(m), "MaskedSelectBackward0"}, {x:chunk(2, 2)[2], "SplitBackward0"},
    {x:split(2)[1], "SplitBackward0"}, {x:split({1, 3}, 2)[2], "SplitWithSizesBackward0"},
    {x:tensor_split(2, 2)[1], "SliceBackward0"}, {x:repeat_interleave(2), "IndexSelectBackward0"},
    {torch.outer(v, v), "MulBackward0"}, {torch.addmm(x, x, torch.randn(4, 4)), "AddmmBackward0"},
    {torch.baddbmm(torch.zeros(2, 3, 3), b, b:transpose(2, 3)), "BaddbmmBackward0"},
    {torch.einsum("ij,jk->ik", x, x:t()), "ViewBackward0"}, {torch.einsum("ij->ji", x), "PermuteBackward0"},
    {torch.einsum("i,j->ij", v, v), "MulBackward0"}, {torch.einsum("ij->", x), "SumBackward1"},
    {torch.einsum("bij,bjk->bik", b, b:transpose(2, 3)), "ViewBackward0"},
    {torch.meshgrid(v, v)[1], "ExpandBackward0"}, {torch.cartesian_prod(v, v), "StackBackward0"},
  }
  for i, c in ipairs(cases) do T.eq(c[1].grad_fn:name(), c[2], "case " .. i) end
end)

T.test("diagonal and the split pieces are views; flip, roll, repeat, diag copy", function()
  local x = torch.zeros(3, 3)
  x:diagonal():fill_(1)
  T.ok(torch.equal(x, torch.eye(3)))
  x:chunk(3)[2]:fill_(5)
  T.eq(x[2][3]:item(), 5)
  x:flip(1):fill_(7)
  x:roll(1):fill_(7)
  x:tile(1, 1):fill_(7)
  x:diag():fill_(7)
  T.eq(x:eq(7):sum():item(), 0)
end)

T.test("masked_fill_ writes in place and refuses a broadcast beyond self", function()
  local x = torch.zeros(2, 3)
  local r = x:masked_fill_(torch.tensor({true, false, true}), 4)
  T.ok(rawequal(r, x))
  T.close(x, {4, 0, 4, 4, 0, 4})
  T.error(function() torch.zeros(3):masked_fill_(torch.ones(2, 3):bool(), 1) end,
    "masked_fill_: output with shape [3] doesn't match the broadcast shape [2, 3]")
  local leafx = torch.zeros(3, {requires_grad = true})
  T.error(function() leafx:masked_fill_(torch.tensor({true, false, true}), 1) end, "leaf Variable")
end)

T.test("nonzero, where(cond): int64 0-based indices", function()
  local x = torch.tensor({{0, 1, 0}, {2, 0, 3}})
  same(x:nonzero():tolist(), {{0, 1}, {1, 0}, {1, 2}})
  T.eq(x:nonzero().dtype, torch.int64)
  local rows, cols = table.unpack(torch.where(x:ne(0)))
  same(rows:tolist(), {0, 1, 1})
  same(cols:tolist(), {1, 0, 2})
  T.ok(torch.is_tuple(x:nonzero({as_tuple = true})))
  T.eq(tostring(torch.zeros(2, 0):nonzero():size()), "torch.Size([0, 2])")
  T.eq(tostring(torch.tensor(3):nonzero():size()), "torch.Size([1, 0])")
end)

T.test("split family: sizes and counts as PyTorch", function()
  local function sizes(list)
    local out = {}
    for i, t in ipairs(list) do out[i] = t:numel() end
    return out
  end
  local r = torch.arange(7)
  same(sizes(r:chunk(3)), {3, 3, 1})
  same(sizes(torch.arange(5):chunk(4)), {2, 2, 1})
  same(sizes(torch.zeros(0):chunk(3)), {0, 0, 0})
  same(sizes(r:split(3)), {3, 3, 1})
  same(sizes(r:tensor_split(3)), {3, 2, 2})
  same(sizes(r:tensor_split({1, 5})), {1, 4, 2})
  same(sizes(r:tensor_split({5, 1})), {5, 0, 6})
  same(sizes(r:tensor_split({-2})), {5, 2})
  same(sizes(r:split({2, 5}, {dim = 1})), {2, 5})
end)

T.test("repeat_interleave: output_size, options, positions", function()
  local v = torch.tensor({1, 2})
  same(v:repeat_interleave(torch.tensor({2, 1}), {output_size = 3}):tolist(), {1, 1, 2})
  same(v:repeat_interleave({repeats = 2, dim = 1}):tolist(), {1, 1, 2, 2})
  T.error(function() v:repeat_interleave(2, {output_size = 3}) end, "output_size (3) does not match the sum of repeats (4)")
  same(torch.repeat_interleave(torch.tensor({0, 2, 1})):tolist(), {1, 1, 2})
  T.eq(torch.repeat_interleave(torch.tensor({0, 0})):numel(), 0)
end)

T.test("errors name the op", function()
  local x = torch.randn(3, 4)
  T.error(function() x:masked_fill(x:gt(0), torch.tensor({1.0, 2.0})) end, "masked_fill: only supports a 0-dimensional")
  T.error(function() x:masked_fill(x, 1) end, "masked_fill: only supports boolean masks")
  T.error(function() x:masked_select(x) end, "masked_select: expected BoolTensor")
  T.error(function() x:tile(2) ; x["repeat"](x, 2) end, "repeat: Number of dimensions of repeat dims")
  T.error(function() x:roll({1, 2}, 1) end, "roll: shifts and dimensions must align. shifts: 2, dims:1")
  T.error(function() x:flip(1, 1) end, "flip: dim 1 appears multiple times")
  T.error(function() torch.randn(3):tril() end, "tril: input tensor must have at least 2 dimensions")
  T.error(function() torch.randn(2, 2, 2):diag() end, "diag: matrix or a vector expected")
  T.error(function() torch.randn(2, 2, 2):trace() end, "trace: expected a matrix, but got tensor with dim 3")
  T.error(function() x:diagonal(0, 2, 2) end, "diagonal: dimensions cannot be identical 2, 2")
  T.error(function() x:chunk(0) end, "chunk: chunk expects `chunks` to be greater than 0, got: 0")
  T.error(function() x:split(0) end, "split: split_size can only be 0 if dimension size is 0")
  T.error(function() x:split({1, 2}, 2) end, "split: split_with_sizes expects split_sizes to sum exactly to 4")
  T.error(function() x:tensor_split(0) end, "tensor_split: number of sections must be larger than 0, got 0")
  T.error(function() x:chunk(2, {dimm = 1}) end, "dimm")
  T.error(function() x:repeat_interleave(-1) end, "repeat_interleave: repeats can not be negative")
  T.error(function() x:repeat_interleave(torch.tensor({1, 2}), 1) end, "repeats must have the same size as input along dim")
  T.error(function() torch.addmm(torch.randn(3, 3), x, x) end, "addmm: mat1 and mat2 shapes cannot be multiplied")
  T.error(function() torch.addmm(torch.randn(3, 3), x, x:t(), {gamma = 1}) end, "gamma")
  T.error(function() torch.outer(x, x) end, "outer: Expected 1-D argument self, but got 2-D")
  T.error(function() torch.einsum("ij,jk->ik", x, x) end, "subscript j has size 3 for operand 2")
  T.error(function() torch.einsum("ij->k", x) end, "output subscript k does not appear")
  T.error(function() torch.einsum("...ij->ji", x) end, "ellipsis")
  T.error(function() torch.einsum("ij,jk->ik", x) end, "fewer operands")
  T.error(function() torch.meshgrid(x, x) end, "meshgrid: Expected 0D or 1D tensor")
  T.error(function() torch.meshgrid(torch.ones(2), {indexing = "foo"}) end, 'indexing must be one of "xy" or "ij"')
  T.error(function() torch.meshgrid(torch.ones(2), {index = "ij"}) end, "index")
end)

-- ONNX export -------------------------------------------------------------------

local function onnx_ops(path)
  local out = {}
  for i, n in ipairs(torch.onnx.describe(path).graph.nodes) do out[i] = n.op_type end
  return table.concat(out, " ")
end

-- onnx.checker with shape inference, when python3-onnx is there (else nothing)
local function onnx_check(path)
  if not os.execute("/usr/bin/python3 -c 'import onnx' 2>/dev/null") then return end
  local ok = os.execute("/usr/bin/python3 -c 'import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), " ..
    "full_check=True)' " .. path)
  T.ok(ok, "onnx.checker rejects " .. path)
end

local function onnx_model(forward)
  local C = nn.Module:extend("ShapeOpsOnnx")
  function C:__init() nn.Module.__init(self); self.fc = nn.Linear(4, 4) end
  C.forward = forward
  return C()
end

T.test("ONNX: masked_fill, tile, tril/triu, flip, addmm, chunk/split/tensor_split export", function()
  local path = os.tmpname() .. ".onnx"
  local m = onnx_model(function(self, x)
    local h = self.fc(x)
    h = h:masked_fill(torch.tensor({true, false, true, false}), 0.5):tile(1, 2):tril(1):triu(-1):flip(2)
    local a, b = table.unpack(h:chunk(2, 2))
    local p = h:split({3, 5}, 2)
    local q = h:tensor_split({2, 4}, 2)
    return torch.addmm(a, b, torch.ones(4, 4), {beta = 0.5}) + p[1]:narrow(2, 1, 1) * 2 + q[3]
  end)
  torch.onnx.export(m, torch.randn(4, 4), path)
  T.eq(onnx_ops(path), "Gemm Where Tile Trilu Trilu Slice Slice Slice Slice Slice Slice Slice Slice Gemm " ..
    "Slice Mul Add Add")
  onnx_check(path)
  os.remove(path)
  T.error(function() torch.onnx.export(m, torch.randn(4, 4), path, {opset_version = 13}) end,
    "tril needs opset_version 14")
  local g = onnx_model(function(self, x)
    local h = self.fc(x)
    return torch.meshgrid(h:view(-1), h:view(-1))[1]
  end)
  T.error(function() torch.onnx.export(g, torch.randn(1, 4), path) end, "is not supported")
  local w = onnx_model(function(self, x) return torch.where(self.fc(x):view(-1):ne(0))[1] end)
  T.error(function() torch.onnx.export(w, torch.randn(1, 4), path) end, "is not supported")
  local e = onnx_model(function(self, x) return torch.einsum("ij->ji", self.fc(x)) end)
  T.error(function() torch.onnx.export(e, torch.randn(1, 4), path) end, "is not supported")
  os.remove(path)
end)

T.run()
