-- test_tensor.lua — behaviour of the core tensor API (docs/lua-api.md):
-- creation, shapes and views, broadcasting, type promotion, conversions,
-- 1-based dims vs 0-based index tensors, in-place ops, autograd semantics,
-- deep graphs and memory. Expected values were checked against PyTorch 1.13.
-- Not here: gradient formulas (test_gradcheck.lua), bad inputs (test_bad_inputs.lua).

local T = require "ember.test"

local function shape(t)
  local s = {}
  for d = 1, t:dim() do s[d] = tostring(t:size(d)) end
  return table.concat(s, "x")
end
local function eq_shape(t, expected, msg) T.eq(shape(t), expected, msg) end
local function rss_mb()
  local f = assert(io.open("/proc/self/status"))
  local kb
  for line in f:lines() do
    local v = line:match("^VmRSS:%s+(%d+)")
    if v then kb = tonumber(v) end
  end
  f:close()
  return kb / 1024
end

-- creation ----------------------------------------------------------------------

T.test("tensor from nested tables infers dtype", function()
  local a = torch.tensor({{1, 2}, {3, 4}})
  T.eq(a.dtype, torch.int64); eq_shape(a, "2x2"); T.close(a, {1, 2, 3, 4})
  T.eq(torch.tensor({1, 2.5}).dtype, torch.float32)
  T.eq(torch.tensor({true, false}).dtype, torch.bool)
  T.eq(torch.tensor({{{1.5}}, {{2}}}).dtype, torch.float32)
  eq_shape(torch.tensor({{{1.5}}, {{2}}}), "2x1x1")
  local s = torch.tensor(7)
  T.eq(s:dim(), 0); T.eq(s.dtype, torch.int64); T.eq(s:item(), 7)
  T.eq(torch.tensor(2.5).dtype, torch.float32)
  T.eq(torch.tensor({1, 2}, {dtype = torch.float64}).dtype, torch.float64)
  T.eq(torch.tensor({1.0}, {requires_grad = true}).requires_grad, true)
end)

T.test("tensor from a tensor copies", function()
  local a = torch.tensor({1.0, 2.0})
  local b = torch.tensor(a)
  b:fill_(9)
  T.close(a, {1, 2})
end)

T.test("dtype names and defaults", function()
  T.eq(torch.float, torch.float32); T.eq(torch.double, torch.float64)
  T.eq(torch.long, torch.int64); T.eq(torch.int, torch.int32)
  T.eq(tostring(torch.float32), "torch.float32"); T.eq(tostring(torch.bool), "torch.bool")
  T.eq(torch.get_default_dtype(), torch.float32)
  T.ok(torch.is_tensor(torch.zeros(1))); T.ok(not torch.is_tensor({}))
  T.eq(tostring(torch.zeros(1).device), "cpu")
end)

T.test("zeros/ones/empty/full", function()
  local z = torch.zeros(2, 3)
  T.eq(z.dtype, torch.float32); eq_shape(z, "2x3"); T.close(z, {0, 0, 0, 0, 0, 0})
  eq_shape(torch.zeros({2, 3}), "2x3")
  T.eq(torch.zeros(2, 3, {dtype = torch.int64}).dtype, torch.int64)
  T.close(torch.ones(2), {1, 1}); eq_shape(torch.empty(4, 1), "4x1")
  T.eq(torch.full({2, 2}, 7).dtype, torch.int64)
  T.eq(torch.full({2}, 1.5).dtype, torch.float32)
  T.eq(torch.full({2}, true).dtype, torch.bool)
  local f = torch.full({2}, 7, {dtype = torch.float64})
  T.eq(f.dtype, torch.float64); T.close(f, {7, 7})
  eq_shape(torch.zeros(0, 3), "0x3"); T.eq(torch.zeros(0, 3):numel(), 0)
end)

T.test("arange lengths follow PyTorch", function()
  local a = torch.arange(5)
  T.eq(a.dtype, torch.int64); T.close(a, {0, 1, 2, 3, 4})
  T.close(torch.arange(1, 4), {1, 2, 3})
  T.close(torch.arange(0, 10, 3), {0, 3, 6, 9})
  T.close(torch.arange(10, 0, -3), {10, 7, 4, 1})
  local f = torch.arange(0, 1, 0.25)
  T.eq(f.dtype, torch.float32); T.close(f, {0, 0.25, 0.5, 0.75})
  T.close(torch.arange(1, 2.5, 0.5), {1, 1.5, 2})
  T.eq(torch.arange(0, 1, 0.1):numel(), 10)
  T.close(torch.arange(0, 0.3, 0.1), {0, 0.1, 0.2}, {rtol = 1e-6})
  T.close(torch.arange(0, 1, 0.3), {0, 0.3, 0.6, 0.9}, {rtol = 1e-6})
  T.close(torch.arange(0.5, 3), {0.5, 1.5, 2.5})
  T.eq(torch.arange(0.5, 3).dtype, torch.float32)
  T.eq(torch.arange(3, {dtype = torch.float64}).dtype, torch.float64)
end)

T.test("linspace and eye", function()
  local l = torch.linspace(0, 1, 5)
  T.eq(l.dtype, torch.float32); T.close(l, {0, 0.25, 0.5, 0.75, 1})
  T.close(torch.linspace(-1, 1, 3), {-1, 0, 1})
  T.close(torch.linspace(2, 2, 1), {2})
  T.close(torch.eye(3), {1, 0, 0, 0, 1, 0, 0, 0, 1})
  local e = torch.eye(2, 3)
  eq_shape(e, "2x3"); T.close(e, {1, 0, 0, 0, 1, 0})
end)

T.test("*_like keep shape and dtype", function()
  local i = torch.tensor({{1, 2, 3}})
  local z = torch.zeros_like(i)
  T.eq(z.dtype, torch.int64); eq_shape(z, "1x3")
  T.eq(torch.ones_like(i, {dtype = torch.float64}).dtype, torch.float64)
  local f = torch.full_like(torch.zeros(2), 5)
  T.eq(f.dtype, torch.float32); T.close(f, {5, 5})
  T.eq(torch.full_like(i, 5).dtype, torch.int64)
  eq_shape(torch.empty_like(i), "1x3")
  local r = torch.rand_like(torch.zeros(100))
  T.eq(r.dtype, torch.float32)
  T.ok(r:min():item() >= 0 and r:max():item() < 1)
  eq_shape(torch.randn_like(torch.zeros(3, 2)), "3x2")
end)

-- shapes, strides, views ------------------------------------------------------------

T.test("sizes, strides, contiguity", function()
  local x = torch.zeros(2, 3, 4)
  T.eq(tostring(x:size()), "torch.Size([2, 3, 4])"); T.eq(tostring(x.shape), "torch.Size([2, 3, 4])")
  T.eq(x:size(1), 2); T.eq(x:size(-1), 4); T.eq(x.shape[2], 3); T.eq(#x, 2)
  T.eq(x:dim(), 3); T.eq(x:numel(), 24)
  local st = x:stride()
  T.eq(st[1], 12); T.eq(st[2], 4); T.eq(st[3], 1); T.eq(x:stride(-2), 4)
  T.ok(x:is_contiguous())
  local t = x:transpose(1, 2)
  T.ok(not t:is_contiguous()); T.eq(t:stride(1), 4); T.eq(t:stride(2), 12)
  T.ok(t:contiguous():is_contiguous())
  T.eq(x:narrow(2, 2, 2):storage_offset(), 4)
  T.eq(x:select(1, 2):storage_offset(), 12)
  local e = torch.zeros(3, 1):expand(3, 5)
  T.eq(e:stride(2), 0); eq_shape(e, "3x5")
end)

T.test("views share storage with the base", function()
  local x = torch.zeros(2, 3)
  x:view(6)[2]:fill_(5)
  T.eq(x[1][2]:item(), 5.0)
  local t = x:t()
  t[{3, 2}] = 7
  T.eq(x[2][3]:item(), 7.0)
  x:narrow(2, 1, 1):fill_(1)
  T.close(x, {1, 5, 0, 1, 0, 7})
  x[2] = 3
  T.close(x, {1, 5, 0, 3, 3, 3})
  x:select(2, 2):zero_()
  T.close(x, {1, 0, 0, 3, 0, 3})
  x:unsqueeze(1):squeeze(1):permute(2, 1)[1]:fill_(-1)
  T.close(x, {-1, 0, 0, -1, 0, 3})
  x[{{}, {2, 3}}] = torch.tensor({8.0, 9.0})
  T.close(x, {-1, 8, 9, -1, 8, 9})
  x:flatten()[-1]:fill_(4)
  T.eq(x[-1][-1]:item(), 4.0)
end)

T.test("reshape views when it can and copies when it must", function()
  local x = torch.zeros(2, 3)
  x:reshape(3, 2)[1]:fill_(1)          -- a view: visible in x
  T.close(x, {1, 1, 0, 0, 0, 0})
  local c = x:t():reshape(6)           -- needs a copy
  c:fill_(9)
  T.close(x, {1, 1, 0, 0, 0, 0})
  T.close(x:t():reshape(6), {1, 0, 1, 0, 0, 0})
  eq_shape(x:reshape(-1, 2), "3x2"); eq_shape(x:view(-1), "6")
end)

T.test("broadcasting", function()
  local a = torch.tensor({{1}, {2}}) + torch.tensor({10, 20, 30})
  eq_shape(a, "2x3"); T.close(a, {11, 21, 31, 12, 22, 32})
  eq_shape(torch.zeros(5, 1, 4) + torch.zeros(3, 1), "5x3x4")
  eq_shape(torch.zeros(3) * torch.tensor(2.0), "3")
  eq_shape(torch.zeros(1) - torch.zeros(2, 1), "2x1")
  T.close(torch.ones(2, 3):sum(2, true) + torch.full({2, 1}, 3.0), {6, 6})
end)

T.test("type promotion", function()
  local i, f = torch.tensor({1, 2}), torch.tensor({0.5, 1.5})
  T.eq((i + f).dtype, torch.float32)
  T.eq((i + 2).dtype, torch.int64); T.close(i + 2, {3, 4})
  T.eq((i * 2.5).dtype, torch.float32); T.close(i * 2.5, {2.5, 5})
  T.eq((i / i).dtype, torch.float32); T.close(torch.tensor({1, 3}) / torch.tensor({2, 2}), {0.5, 1.5})
  local b = torch.tensor({true, true})
  T.eq(b:sum().dtype, torch.int64); T.eq(b:sum():item(), 2)
  T.eq((b + 1).dtype, torch.int64); T.eq((b + 1.5).dtype, torch.float32)
  T.eq(i:sum().dtype, torch.int64); T.eq(i:int():sum().dtype, torch.int64)
  T.eq((f:double() + f).dtype, torch.float64)
  T.eq((f + torch.tensor(1.5, {dtype = torch.float64})).dtype, torch.float32)
  T.eq((i + torch.tensor(1.5, {dtype = torch.float64})).dtype, torch.float64)
  T.eq((i:int() + i).dtype, torch.int64); T.eq((i:byte() + i).dtype, torch.int64)
  T.eq((i:int() + 2).dtype, torch.int32); T.eq((i:int() + 2.5).dtype, torch.float32)
  for _, op in ipairs({"eq", "ne", "lt", "le", "gt", "ge"}) do
    T.eq(f[op](f, 1).dtype, torch.bool, op)
    T.eq(i[op](i, f).dtype, torch.bool, op)
  end
  T.close(i:gt(f), {true, true}); T.close(f:ge(1.5), {false, true}); T.close(i:eq(2), {false, true})
  T.eq(b:logical_and(b:logical_not()).dtype, torch.bool)
  T.close(b:logical_or(torch.tensor({false, true})), {true, true})
end)

T.test("conversions", function()
  local x = torch.tensor({2.7, -2.7, 0.0})
  local l = x:long()
  T.eq(l.dtype, torch.int64); T.close(l, {2, -2, 0})
  T.eq(x:int().dtype, torch.int32); T.eq(x:double().dtype, torch.float64)
  T.close(x:bool(), {true, true, false}); T.eq(x:bool().dtype, torch.bool)
  T.eq(torch.tensor({3.0}):byte().dtype, torch.uint8)
  T.eq(l:float().dtype, torch.float32)
  T.eq(x:to(torch.float64).dtype, torch.float64)
  T.eq(x:to{dtype = torch.int64}.dtype, torch.int64)
  T.eq(x:type(torch.int32).dtype, torch.int32)
  T.eq(x:to(torch.device("cpu")).dtype, torch.float32)
  T.close(x:cpu(), x)
  local c = x:clone(); c:fill_(0)
  T.close(x, {2.7, -2.7, 0})
end)

T.test("item and tolist", function()
  local i = torch.tensor(3):item()
  T.eq(i, 3); T.eq(math.type(i), "integer")
  local f = torch.tensor(2.5):item()
  T.eq(f, 2.5); T.eq(math.type(f), "float")
  T.eq(torch.tensor(true):item(), true)
  T.eq(torch.tensor({{4}}):item(), 4)
  local l = torch.tensor({{1, 2}, {3, 4}}):tolist()
  T.eq(type(l), "table"); T.eq(#l, 2); T.eq(l[2][1], 3); T.eq(math.type(l[1][2]), "integer")
  T.eq(torch.tensor(5.5):tolist(), 5.5)
  T.eq(torch.tensor({1.0}):tolist()[1], 1.0); T.eq(math.type(torch.tensor({1.0}):tolist()[1]), "float")
  T.eq(torch.tensor({true, false}):tolist()[2], false)
end)

-- dims 1-based, index tensors 0-based ------------------------------------------------

T.test("dims and positions are 1-based, negatives count from the end", function()
  local x = torch.arange(6):reshape(2, 3)
  T.close(x:sum(1), {3, 5, 7}); T.close(x:sum(2), {3, 12}); T.close(x:sum(-1), {3, 12})
  T.close(x[1], {0, 1, 2}); T.close(x[-1], {3, 4, 5})
  T.close(x:select(2, 1), {0, 3}); T.close(x:select(-1, -1), {2, 5})
  T.close(x:narrow(2, 2, 2), {1, 2, 4, 5})
  T.eq(x:size(-1), 3); eq_shape(x:transpose(1, 2), "3x2")
  eq_shape(x:unsqueeze(1), "1x2x3"); eq_shape(x:unsqueeze(-1), "2x3x1")
  T.close(x[{2, {2, 3}}], {4, 5}); T.close(x[{":", -1}], {2, 5})
  T.close(x:sum({1, 2}), {15}); T.close(x:float():mean(2), {1, 4})
end)

T.test("index tensors are 0-based", function()
  local x = torch.tensor({{1.0, 5.0, 2.0}, {7.0, 0.0, 3.0}})
  T.eq(x:argmax():item(), 3)
  T.close(x:argmax(2), {1, 0}); T.close(x:argmin(1), {0, 1, 0})
  eq_shape(x:argmax(2), "2"); eq_shape(x:argmax(2, true), "2x1"); eq_shape(x:argmin(1), "3")
  T.eq(x:argmax(2).dtype, torch.int64)
  local v, idx = x:max(2)
  T.close(v, {5, 7}); T.close(idx, {1, 0}); T.eq(idx.dtype, torch.int64)
  local mv, mi = x:min(1, true)
  eq_shape(mv, "1x3"); T.close(mi, {0, 1, 0})
  T.close(x:index_select(2, torch.tensor({0, 2})), {1, 2, 7, 3})
  T.close(x:gather(2, torch.tensor({{2}, {0}})), {2, 7})
  T.close(torch.zeros(3):scatter_add(1, torch.tensor({0, 2, 0}), torch.tensor({1.0, 2.0, 3.0})), {4, 0, 2})
  local labels = torch.tensor({1, 0})
  T.close(x:argmax(2):eq(labels), {true, true})
end)

-- in-place ops ------------------------------------------------------------------------

T.test("in-place ops return self", function()
  local x = torch.tensor({1.0, 2.0})
  T.ok(rawequal(x:add_(1), x)); T.close(x, {2, 3})
  T.ok(rawequal(x:mul_(2), x)); T.close(x, {4, 6})
  T.ok(rawequal(x:sub_(1, {alpha = 2}), x)); T.close(x, {2, 4})
  T.ok(rawequal(x:div_(2), x)); T.close(x, {1, 2})
  T.ok(rawequal(x:pow_(2), x)); T.close(x, {1, 4})
  T.ok(rawequal(x:clamp_(2, 3), x)); T.close(x, {2, 3})
  T.ok(rawequal(x:neg_(), x)); T.close(x, {-2, -3})
  T.ok(rawequal(x:abs_(), x)); T.close(x, {2, 3})
  T.ok(rawequal(x:sqrt_(), x)); T.close(x, {math.sqrt(2), math.sqrt(3)}, {rtol = 1e-6})
  T.ok(rawequal(x:fill_(-1), x)); T.close(x, {-1, -1})
  T.ok(rawequal(x:relu_(), x)); T.close(x, {0, 0})
  T.ok(rawequal(x:exp_(), x)); T.close(x, {1, 1})
  T.ok(rawequal(x:sigmoid_(), x)); T.ok(rawequal(x:tanh_(), x))
  T.ok(rawequal(x:zero_(), x)); T.close(x, {0, 0})
  T.ok(rawequal(x:copy_(torch.tensor({5, 6})), x)); T.close(x, {5, 6})
  T.ok(rawequal(x:uniform_(0, 1), x)); T.ok(rawequal(x:normal_(0, 1), x))
  T.ok(rawequal(x:requires_grad_(), x)); T.ok(x.requires_grad)
  local y = x * 2
  T.ok(rawequal(y:detach_(), y)); T.eq(y.requires_grad, false)
end)

T.test("copy_ broadcasts and converts; fill_ and zero_", function()
  local x = torch.zeros(2, 3)
  x:copy_(torch.tensor({1, 2, 3}))
  T.close(x, {1, 2, 3, 1, 2, 3}); T.eq(x.dtype, torch.float32)
  x:narrow(1, 2, 1):copy_(torch.tensor({{7.0}}))
  T.close(x, {1, 2, 3, 7, 7, 7})
  x:fill_(2.5); T.close(x, {2.5, 2.5, 2.5, 2.5, 2.5, 2.5})
  x:t():zero_(); T.close(x, {0, 0, 0, 0, 0, 0})
  local i = torch.zeros(2, {dtype = torch.int64}):fill_(3)
  T.eq(i:sum():item(), 6)
end)

-- autograd semantics -------------------------------------------------------------------

T.test("leaves, grad_fn names and grad accumulation", function()
  local x = torch.tensor({1.0, 2.0, 3.0}, {requires_grad = true})
  T.ok(x.is_leaf); T.eq(x.grad_fn, nil); T.eq(x.grad, nil)
  local y = x * 2
  T.eq(y.is_leaf, false); T.ok(y.requires_grad)
  T.eq(y.grad_fn:name(), "MulBackward0"); T.eq(tostring(y.grad_fn), "<MulBackward0>")
  T.eq(y.grad_fn.next_functions[1][1]:name(), "AccumulateGrad")
  T.eq((x + x).grad_fn:name(), "AddBackward0")
  T.eq(x:sum().grad_fn:name(), "SumBackward0")
  T.eq(x:view(3, 1):mm(x:view(1, 3)).grad_fn:name(), "MmBackward0")
  local s = (x * x):sum()
  s:backward()
  T.close(x.grad, {2, 4, 6})
  T.eq(y.grad, nil, "non-leaf grads are not kept")
  ;(x * 3):sum():backward()
  T.close(x.grad, {5, 7, 9})
  x.grad = nil
  T.eq(x.grad, nil)
  local n = torch.zeros(2)
  T.eq(n.requires_grad, false); n.requires_grad = true; T.ok(n.requires_grad)
end)

-- The engine keeps a freshly computed gradient as .grad without copying it
-- (engine.c, accumulate_into), but never one that someone else can see:
-- the same gradient passed to two leaves, a gradient the user passed in.
T.test(".grad is never shared: two leaves of one add, a user's gradient, a view used twice", function()
  local x, y = torch.ones(3):requires_grad_(), torch.ones(3):requires_grad_()
  ;((x + y) * 2):sum():backward()   -- add passes one contiguous gradient to both
  x.grad:mul_(5)
  T.close(x.grad, {10, 10, 10})
  T.close(y.grad, {2, 2, 2})
  local a, b = torch.ones(2, 3):requires_grad_(), torch.ones(2, 3):requires_grad_()
  ;(a * 2 + b):sum():backward()
  a.grad:add_(100)
  T.close(b.grad, {{1, 1, 1}, {1, 1, 1}})
  local g, f = torch.ones(3), torch.ones(3):requires_grad_()
  ;(f * 1):backward(g)
  f.grad:add_(1)
  T.close(g, {1, 1, 1})
  local c = torch.ones(4):requires_grad_()
  local d = c:view(2, 2)
  ;(d + d):sum():backward()
  T.close(c.grad, {2, 2, 2, 2})
  local w = torch.ones(2, 2):requires_grad_()   -- kept, then accumulated into in place
  ;(w * 3):sum():backward()
  local first = w.grad
  ;(w * 3):sum():backward()
  T.ok(rawequal(w.grad, first) or torch.equal(w.grad, first))
  T.close(w.grad, {{6, 6}, {6, 6}})
end)

T.test("grad_fn names of other ops match PyTorch", function()
  local x = torch.ones(2, 3, {requires_grad = true})
  local cases = {
    {x - 1, "SubBackward0"}, {x / 2, "DivBackward0"}, {x:exp(), "ExpBackward0"},
    {x:sum(1), "SumBackward1"}, {x:mean(), "MeanBackward0"}, {x:mean(2), "MeanBackward1"},
    {x:view(6), "ViewBackward0"}, {x:t(), "TBackward0"}, {x:transpose(1, 2), "TransposeBackward0"},
    {x:permute(2, 1), "PermuteBackward0"}, {x[1], "SelectBackward0"}, {x:narrow(2, 1, 2), "SliceBackward0"},
    {x:unsqueeze(1), "UnsqueezeBackward0"}, {x:expand(2, 2, 3), "ExpandBackward0"},
    {torch.cat({x, x}), "CatBackward0"}, {torch.stack({x, x}), "StackBackward0"},
    {x:index_select(1, torch.tensor({0})), "IndexSelectBackward0"},
    {x:gather(2, torch.tensor({{0}, {1}})), "GatherBackward0"}, {x:clone(), "CloneBackward0"},
    {x:double(), "ToCopyBackward0"}, {x:pow(2), "PowBackward0"}, {x:pow(x), "PowBackward1"},
    {-x, "NegBackward0"}, {x:relu(), "ReluBackward0"}, {x:sigmoid(), "SigmoidBackward0"},
    {x:tanh(), "TanhBackward0"}, {x:max(), "MaxBackward1"}, {(x:max(2)), "MaxBackward0"},
    {x[1]:dot(x[2]), "DotBackward0"}, {x:mv(x[1]), "MvBackward0"},
    {x:unsqueeze(1):bmm(x:t():unsqueeze(1)), "BmmBackward0"}, {x:log1p(), "Log1PBackward0"},
    {x:prod(), "ProdBackward0"}, {x:var(), "VarBackward0"}, {x:std(), "StdBackward0"},
    {x:maximum(x), "MaximumBackward0"}, {x:reciprocal(), "ReciprocalBackward0"},
    {torch.where(x:gt(0), x, x), "WhereBackward0"}, {x:clamp(0, 1), "ClampBackward1"},
  }
  local wrong = {}
  for _, c in ipairs(cases) do
    local got = c[1].grad_fn and c[1].grad_fn:name() or "nil"
    if got ~= c[2] then wrong[#wrong + 1] = got .. " (expected " .. c[2] .. ")" end
  end
  T.eq(#wrong, 0, table.concat(wrong, ", "))
end)

T.test("detach and detach_", function()
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  local d = x:detach()
  T.eq(d.requires_grad, false); T.ok(d.is_leaf)
  d[1] = 10
  T.eq(x[1]:item(), 10.0, "detach shares storage")
  local y = x * 2
  y:detach_()
  T.eq(y.requires_grad, false); T.eq(y.grad_fn, nil)
  T.eq((x:detach() * 2).requires_grad, false)
end)

T.test("no_grad as a function and as a <close> guard", function()
  local x = torch.ones(2, {requires_grad = true})
  T.ok(torch.is_grad_enabled())
  local y, extra = torch.no_grad(function(a)
    T.eq(torch.is_grad_enabled(), false)
    return a * 2, "extra"
  end, x)
  T.eq(y.requires_grad, false); T.eq(extra, "extra"); T.ok(torch.is_grad_enabled())
  do
    local guard <close> = torch.no_grad()
    T.eq(torch.is_grad_enabled(), false)
    T.eq((x * 2).requires_grad, false)
    T.ok(torch.enable_grad(function() return (x * 2).requires_grad end))
  end
  T.ok(torch.is_grad_enabled())
  local ok = pcall(function()
    local guard <close> = torch.no_grad()
    error("boom")
  end)
  T.eq(ok, false); T.ok(torch.is_grad_enabled(), "guard restores grad mode after an error")
  T.eq(pcall(torch.no_grad, function() error("boom") end), false)
  T.ok(torch.is_grad_enabled(), "no_grad(fn) restores grad mode after an error")
  torch.set_grad_enabled(false); T.eq(torch.is_grad_enabled(), false)
  torch.set_grad_enabled(true); T.ok(torch.is_grad_enabled())
  torch.no_grad(function() x:add_(1) end)   -- in-place on a leaf is fine under no_grad
  T.close(x, {2, 2})
end)

T.test("retain_graph, backward twice, retain_grad", function()
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  local y = (x * x):sum()
  y:backward(nil, {retain_graph = true})
  y:backward()
  T.close(x.grad, {4, 8})
  T.error(function() y:backward() end, "backward through the graph a second time")
  local h = x * 3
  h:retain_grad()
  ;(h * h):sum():backward()
  T.close(h.grad, {6, 12})
  x.grad = nil
  local z = x * 2
  z:backward(torch.tensor({1.0, 0.5}))
  T.close(x.grad, {2, 1})
end)

T.test("backward accepts the options table alone", function()
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  local y = (x * x):sum()
  y:backward({retain_graph = true})
  y:backward()
  T.close(x.grad, {4, 8})
end)

T.test("autograd errors", function()
  local x = torch.tensor({1.0, 2.0}, {requires_grad = true})
  T.error(function() (x * 2):backward() end, "scalar")
  T.error(function() x:add_(1) end, "leaf")
  local y = x * 1
  local z = y:exp()      -- saves its output
  z:mul_(2)
  local ok, err = pcall(function() z:sum():backward() end)
  T.eq(ok, false, "modifying a saved tensor in place must make backward fail")
  err = tostring(err):lower()
  T.ok(err:find("inplace", 1, true) or err:find("in-place", 1, true), err)
  local w = x * 1
  local v = w * w        -- saves w
  w:add_(1)
  T.error(function() v:sum():backward() end)
end)

-- depth and memory ---------------------------------------------------------------------

T.test("10,000 temporaries of 1 MB keep RSS under 200 MB without collectgarbage", function()
  local peak = rss_mb()
  for i = 1, 10000 do
    local t = torch.zeros(262144) + 1       -- two 1 MB float32 tensors per step
    if t:numel() ~= 262144 then error("wrong size") end
    if i % 50 == 0 then
      peak = math.max(peak, rss_mb())
      if peak > 200 then break end
    end
  end
  T.ok(peak < 200, string.format("peak RSS %.0f MB", peak))
end)

T.test("<close> frees a tensor at scope end", function()
  collectgarbage()   -- garbage from earlier tests must not be freed in the middle of the count
  local before = torch.memory_allocated()
  do
    local x <close> = torch.zeros(1000, 1000)
    T.eq(torch.memory_allocated() - before, 4000000)
  end
  T.eq(torch.memory_allocated(), before)
end)

T.test("a 100,000-op chain backpropagates and frees without overflowing the C stack", function()
  local before = torch.memory_allocated()
  local x = torch.tensor(1.0, {dtype = torch.float64, requires_grad = true})
  local y = x
  for _ = 1, 100000 do y = y * 1.0001 end
  y:backward()
  T.close(x.grad, {math.exp(100000 * math.log(1.0001))}, {rtol = 1e-6})
  y = nil
  local z = x
  for _ = 1, 100000 do z = z * 1.0001 end
  z = nil   -- dropped without backward: freeing the graph must not recurse 100k deep
  x.grad = nil
  collectgarbage("collect"); collectgarbage("collect")
  T.ok(torch.memory_allocated() - before <= 64, "chain tensors freed: " .. (torch.memory_allocated() - before))
end)

T.test("all and any reduce to bool, over everything or a dim", function()
  T.eq(torch.ones(2):eq(1):all():item(), true)
  T.eq(torch.tensor({1, 0}):all():item(), false)
  T.close(torch.tensor({{0, 1}, {0, 0}}):any(2), {true, false})
  T.eq(tostring(torch.tensor({{0, 1}, {0, 0}}):any(1, true):size()), "torch.Size([1, 2])")
  T.eq(torch.zeros(0):all():item(), true)
  T.eq(torch.zeros(0):any():item(), false)
end)

-- Transposing copies: 4-byte elements go through 8 x 8 register tiles where
-- the CPU has AVX2, plain loops at the edges; other sizes through blocks.
-- Every element must land in its place, whatever the remainders.
T.test("transposing copies: every element in place, all edge remainders", function()
  for _, dtype in ipairs({torch.float32, torch.int32, torch.float64, torch.int64, torch.uint8}) do
    for _, r in ipairs({1, 7, 8, 9, 33, 70}) do
      for _, c in ipairs({1, 5, 8, 16, 40, 65}) do
        local vals = {}
        for k = 1, r * c do vals[k] = k % 251 end   -- fits every dtype
        local x = torch.tensor(vals, {dtype = dtype}):reshape(r, c)
        local y, xs = x:t():contiguous(), x:tolist()
        local ok = y:is_contiguous() and y:size(1) == c and y:size(2) == r
        local ys = y:tolist()
        for i = 1, c do
          for j = 1, r do ok = ok and ys[i][j] == xs[j][i] end
        end
        T.ok(ok, string.format("%s %dx%d", tostring(dtype), r, c))
      end
    end
  end
  -- a batch of transposes (the dims outside the last two walked), and a
  -- transpose out of a wider tensor (a narrow view: rows further apart)
  local b = torch.randn(3, 37, 50)
  T.close(b:transpose(2, 3):contiguous():transpose(2, 3), b, {rtol = 0, atol = 0})
  local w = torch.randn(100, 60):narrow(2, 3, 41)
  T.close(w:t():contiguous():t(), w, {rtol = 0, atol = 0})
  local nan = torch.tensor({{0 / 0, 1}, {2, math.huge}}):t():contiguous()
  T.ok(nan[{2, 1}]:item() == 1 and nan[{2, 2}]:item() == math.huge and nan[{1, 1}]:item() ~= nan[{1, 1}]:item())
end)

-- float32 sums that keep a contiguous inner dim add whole rows into 64
-- accumulators at a time; the columns past the last full 64, and reduced
-- blocks of more than one dim, must come out as a float64 sum does.
T.test("sum over leading dims: full and partial column chunks, 2-d blocks", function()
  torch.manual_seed(3)
  for _, shape in ipairs({{70, 150}, {3, 64}, {513, 1}, {1, 200}}) do
    local x = torch.randn(shape[1], shape[2])
    T.close(x:sum(1):double(), x:double():sum(1), {rtol = 1e-6, atol = 1e-6})
  end
  local y = torch.randn(4, 3, 130)
  T.close(y:sum({1, 2}):double(), y:double():sum({1, 2}), {rtol = 1e-6, atol = 1e-6})
  T.close(y:sum({1, 2}, true):double(), y:double():sum({1, 2}, true), {rtol = 1e-6, atol = 1e-6})
end)

T.run()
